namespace PolyAi.Messaging.Testing;

/// <summary>The repository's local Dapr components (state and pub/sub), with a fast inbound retry policy.</summary>
public static class TestComponents
{
    // Fast and finite: a redelivery happens in milliseconds, and a handler that keeps failing ends in the
    // dead-letter topic instead of retrying for the rest of the test run.
    private const string Resiliency = """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: resiliency
        spec:
          policies:
            retries:
              fast:
                policy: constant
                duration: 20ms
                maxRetries: 20
          targets:
            components:
              pubsub:
                inbound:
                  retry: fast
        """;

    /// <summary>A secret the LLM brain's tests read their API key from.</summary>
    public const string LlmSecretName = "agent-tests-llm";
    public const string LlmApiKey = "test-llm-key";

    /// <summary>
    /// A tenant whose definition names no key secret: its key is in its own LLM secret <c>llm/{acct}/{proj}/{env}</c>.
    /// Its main secret <c>tenants/…</c> also holds an <c>llmApiKey</c>, which the agent must never use.
    /// </summary>
    public const string LlmTenantAccount = "acct-llm-default";
    public const string LlmTenantProject = "project-1";
    public const string LlmTenantEnv = "prod";
    public const string LlmTenantSecretName = $"llm/{LlmTenantAccount}/{LlmTenantProject}/{LlmTenantEnv}";
    public const string LlmTenantApiKey = "test-llm-tenant-key";
    public const string MainSecretApiKey = "main-secret-key-never-used";

    /// <summary>The secret the agent and the handoff service share for the gRPC caller check.</summary>
    public const string HandoffRpcSecretName = "handoff-rpc";
    public const string HandoffRpcToken = "test-handoff-rpc-token";

    public static string WriteTemporaryCopy()
    {
        var source = Repo.LocalComponents;
        var target = Directory.CreateTempSubdirectory("polyai-components-").FullName;
        foreach (var name in new[] { "statestore.yaml", "pubsub.yaml" })
        {
            File.Copy(Path.Combine(source, name), Path.Combine(target, name));
        }

        File.WriteAllText(Path.Combine(target, "resiliency.yaml"), Resiliency);
        File.Copy(Path.Combine(source, "secretstore.yaml"), Path.Combine(target, "secretstore.yaml"));
        File.WriteAllText(Path.Combine(target, "secrets.json"), $$"""
            {
              "{{HandoffRpcSecretName}}": { "token": "{{HandoffRpcToken}}" },
              "{{LlmSecretName}}": { "llmApiKey": "{{LlmApiKey}}" },
              "{{LlmTenantSecretName}}": { "llmApiKey": "{{LlmTenantApiKey}}" },
              "tenants/{{LlmTenantAccount}}/{{LlmTenantProject}}/{{LlmTenantEnv}}": { "llmApiKey": "{{MainSecretApiKey}}", "webhookSecret": "not-for-the-agent" }
            }
            """);
        return target;
    }
}
