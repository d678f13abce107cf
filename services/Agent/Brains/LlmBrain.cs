using System.ClientModel;
using System.Collections.Concurrent;
using Dapr.Client;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using ChatApiOptions = PolyAi.Messaging.Agent.Chat.ChatOptions;

namespace PolyAi.Messaging.Agent.Brains;

/// <summary>
/// Answers with a model behind any OpenAI-compatible chat-completions endpoint, through Microsoft.Extensions.AI.
/// The model may call the <c>handoff_to_human</c> tool (never executed here: the call itself is the decision).
/// The API key is read from the secret store: by default the tenant's own LLM secret <c>llm/{account}/{project}/{env}</c>,
/// never the tenant's main secret (<c>tenants/…</c>, webhook and Genesys OAuth secrets the agent must not read).
/// If the model cannot be reached, the deterministic brain answers.
/// </summary>
public sealed partial class LlmBrain(DaprClient dapr, IOptions<ChatApiOptions> options, ILogger<LlmBrain> logger) : IBrain
{
    public const string HandoffTool = "handoff_to_human";

    /// <summary>Prefix of the per-tenant LLM secrets; the agent's IAM role is limited to <c>secret:llm/*</c>.</summary>
    public const string SecretPrefix = "llm/";

    /// <summary>The secret the key is read from when the definition names none: <c>llm/{account}/{project}/{env}</c>.</summary>
    public static string DefaultSecretName(TenantKey tenant) => SecretPrefix + tenant;

    private static readonly AIFunction HandoffFunction = AIFunctionFactory.Create(
        (string reason, string summary) => "handed over",
        HandoffTool,
        "Hand the conversation to a human agent: when the customer asks for a person, or you cannot help. " +
        "reason: a short label of why; summary: one or two sentences for the human agent.");

    private readonly ConcurrentDictionary<(Uri, string, string), IChatClient> _clients = new();

    public async Task<BrainReply> ReplyAsync(BrainTurn turn, CancellationToken cancellationToken)
    {
        var settings = turn.Definition.Llm!;
        try
        {
            var client = await ClientAsync(turn.Tenant, settings, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Clamp(settings.TimeoutSeconds, 1, 120)));
            var response = await client.GetResponseAsync(
                Prompt(turn),
                new ChatOptions { Tools = [HandoffFunction], ToolMode = ChatToolMode.Auto },
                timeout.Token);

            var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
                .FirstOrDefault(c => c.Name == HandoffTool);
            if (call is not null)
            {
                var reason = (call.Arguments?.TryGetValue("reason", out var r) == true ? r?.ToString() : null);
                var summary = (call.Arguments?.TryGetValue("summary", out var s) == true ? s?.ToString() : null);
                return new BrainReply(
                    string.IsNullOrWhiteSpace(response.Text) ? turn.Definition.Texts.HandoffRequested : response.Text,
                    Answered: true,
                    new HandoffDecision(
                        string.IsNullOrWhiteSpace(reason) ? "llm" : reason,
                        string.IsNullOrWhiteSpace(summary) ? DeterministicBrain.Summary(turn.History) : summary,
                        turn.Definition.Handoff.QueueId));
            }

            return string.IsNullOrWhiteSpace(response.Text)
                ? new BrainReply(turn.Definition.Texts.Fallback, Answered: false)
                : new BrainReply(response.Text, Answered: true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogLlmFailed(e);
            return DeterministicBrain.Reply(turn);
        }
    }

    private static List<ChatMessage> Prompt(BrainTurn turn)
    {
        var definition = turn.Definition;
        var knowledge = string.Join("\n", definition.Knowledge.Select(k => $"- Q: {string.Join(" / ", k.Questions)}\n  A: {k.Answer}"));
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System,
                (definition.Llm!.Instructions ?? "You are a helpful customer service agent. Answer briefly.") +
                (knowledge.Length > 0 ? "\nWhat you know:\n" + knowledge : "") +
                $"\nCall {HandoffTool} when the customer asks for a person or you cannot help."),
        };
        foreach (var message in turn.History.TakeLast(20))
        {
            messages.Add(message.Role switch
            {
                TranscriptRoles.Customer => new ChatMessage(ChatRole.User, message.Text),
                TranscriptRoles.Ai => new ChatMessage(ChatRole.Assistant, message.Text),
                _ => new ChatMessage(ChatRole.Assistant, $"[{message.Role}] {message.Text}"),
            });
        }

        return messages;
    }

    private async Task<IChatClient> ClientAsync(AgentTenant tenant, LlmSettings settings, CancellationToken cancellationToken)
    {
        var secretName = string.IsNullOrWhiteSpace(settings.ApiKeySecret) ? DefaultSecretName(tenant.Key) : settings.ApiKeySecret;
        var secret = await dapr.GetSecretAsync(options.Value.SecretStore, secretName, cancellationToken: cancellationToken);
        var key = secret.GetValueOrDefault(settings.ApiKeyField)
            ?? throw new InvalidOperationException($"Secret '{secretName}' has no field '{settings.ApiKeyField}'.");
        return _clients.GetOrAdd((settings.Endpoint!, settings.Model, key), k =>
            new OpenAIClient(new ApiKeyCredential(k.Item3), new OpenAIClientOptions { Endpoint = k.Item1 })
                .GetChatClient(k.Item2)
                .AsIChatClient());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM could not answer; the deterministic brain answers instead")]
    private partial void LogLlmFailed(Exception exception);
}
