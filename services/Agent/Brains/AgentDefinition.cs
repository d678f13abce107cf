using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PolyAi.Messaging.Agent.Brains;

/// <summary>
/// How a tenant's AI agent behaves: what it says, what it knows, when it hands over to a human. Written in YAML
/// (see the service README); the tenant record's <c>AgentDefinition</c> holds the YAML or the name of an embedded one.
/// </summary>
public sealed class AgentDefinition
{
    public string Name { get; set; } = "custom";
    public string Greeting { get; set; } = "Hi! How can I help?";
    public List<KnowledgeEntry> Knowledge { get; set; } = [];
    public HandoffTriggers Handoff { get; set; } = new();
    public AgentTexts Texts { get; set; } = new();

    /// <summary>When set, an LLM answers instead of the deterministic brain.</summary>
    public LlmSettings? Llm { get; set; }

    public const string DefaultName = "default";

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Parses YAML; a definition that cannot be read throws <see cref="FormatException"/> saying where.</summary>
    public static AgentDefinition Parse(string yaml)
    {
        try
        {
            var definition = Yaml.Deserialize<AgentDefinition?>(yaml) ?? throw new FormatException("The agent definition is empty.");
            definition.Validate();
            return definition;
        }
        catch (YamlException e)
        {
            throw new FormatException($"The agent definition is not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
    }

    /// <summary>The definition embedded in the service under <paramref name="name"/>, or null.</summary>
    public static AgentDefinition? Embedded(string name)
    {
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        using var stream = typeof(AgentDefinition).Assembly.GetManifestResourceStream($"agent-definitions/{name}.yaml");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    public static AgentDefinition Default { get; } = Embedded(DefaultName)!;

    private void Validate()
    {
        if (Knowledge.Any(k => string.IsNullOrWhiteSpace(k.Answer)))
        {
            throw new FormatException("Every knowledge entry needs an answer.");
        }

        if (Handoff.UnansweredTurns < 0)
        {
            throw new FormatException("handoff.unansweredTurns cannot be negative.");
        }

        if (Llm is not null && (Llm.Endpoint is null || string.IsNullOrWhiteSpace(Llm.Model)))
        {
            throw new FormatException("llm needs an endpoint and a model.");
        }
    }
}

/// <summary>One thing the agent knows: matched by its questions (contained in the message) or its keywords.</summary>
public sealed class KnowledgeEntry
{
    public List<string> Questions { get; set; } = [];
    public List<string> Keywords { get; set; } = [];
    public string Answer { get; set; } = "";
}

public sealed class HandoffTriggers
{
    /// <summary>Words or phrases by which a customer asks for a person.</summary>
    public List<string> Phrases { get; set; } = ["human", "agent", "person", "representative"];

    /// <summary>Hand over after this many unanswered customer turns in a row; 0 never.</summary>
    public int UnansweredTurns { get; set; } = 2;

    public List<HandoffIntent> Intents { get; set; } = [];

    /// <summary>The Genesys queue; empty for the tenant's default queue.</summary>
    public string? QueueId { get; set; }
}

/// <summary>An intent that always goes to a human, recognised by its keywords; may name its own queue.</summary>
public sealed class HandoffIntent
{
    public string Name { get; set; } = "";
    public List<string> Keywords { get; set; } = [];
    public string? QueueId { get; set; }
}

public sealed class AgentTexts
{
    public string Fallback { get; set; } = "Sorry, I don't know that one. Could you put it another way?";
    public string HandoffRequested { get; set; } = "Let me connect you with a colleague.";
    public string NoAgentsAvailable { get; set; } = "Sorry, no one is available right now. I'm still here to help.";
    public string HandoffFailed { get; set; } = "Sorry, I couldn't reach a colleague just now. I'm still here to help.";
    public string AgentJoined { get; set; } = "A colleague has joined the conversation.";
    public string AgentLeft { get; set; } = "Our colleague has left the conversation.";
    public string AiResumes { get; set; } = "I'm back. Is there anything else I can help you with?";
}

/// <summary>An OpenAI-compatible chat-completions endpoint; the API key comes from the secret store.</summary>
public sealed class LlmSettings
{
    /// <summary>Base URL, e.g. <c>https://api.openai.com/v1</c> (<c>/chat/completions</c> is appended).</summary>
    public Uri? Endpoint { get; set; }

    public string Model { get; set; } = "";

    /// <summary>
    /// Secret holding the key; empty for the tenant's LLM secret <c>llm/{account}/{project}/{env}</c> (a separate secret:
    /// the agent may not read the tenant's main secret <c>tenants/…</c>).
    /// </summary>
    public string? ApiKeySecret { get; set; }

    public string ApiKeyField { get; set; } = "llmApiKey";

    public string? Instructions { get; set; }

    public int TimeoutSeconds { get; set; } = 20;
}
