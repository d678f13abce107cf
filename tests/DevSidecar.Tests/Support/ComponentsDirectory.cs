namespace PolyAi.Messaging.DevSidecar.Tests.Support;

/// <summary>
/// A temporary Dapr resources directory: the components every test uses, fast retry policies, and a secrets file.
/// </summary>
internal sealed class ComponentsDirectory : IDisposable
{
    public const string StateStore = "statestore";
    public const string SharedStateStore = "shared";
    public const string ScopedStateStore = "verifier-only";
    public const string PubSub = "pubsub";
    public const string LimitedPubSub = "limited";
    public const string SecretStore = "secretstore";
    public const string MultiValuedSecretStore = "tenants";

    private ComponentsDirectory(string path) => Path = path;

    public string Path { get; }

    public string MultiValuedSecretsFile => System.IO.Path.Combine(Path, "tenants.json");

    public static ComponentsDirectory Create()
    {
        var directory = new ComponentsDirectory(Directory.CreateTempSubdirectory("dev-sidecar-tests-").FullName);
        directory.Write("state.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: statestore
            spec:
              type: state.in-memory
              version: v1
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: shared
            spec:
              type: state.in-memory
              version: v1
              metadata:
                - name: keyPrefix
                  value: none
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: verifier-only
            spec:
              type: state.in-memory
              version: v1
            scopes: [ verifier ]
            """);
        directory.Write("pubsub.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: pubsub
            spec:
              type: pubsub.in-memory
              version: v1
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: limited
            spec:
              type: pubsub.in-memory
              version: v1
            """);
        directory.Write("secrets.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: secretstore
            spec:
              type: secretstores.local.file
              version: v1
              metadata:
                - name: secretsFile
                  value: secrets.json
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: tenants
            spec:
              type: secretstores.local.file
              version: v1
              metadata:
                - name: secretsFile
                  value: tenants.json
                - name: multiValued
                  value: "true"
            """);
        directory.Write("secrets.json", """{ "db-password": "hunter2", "genesys": { "client-id": "abc", "client-secret": "xyz" } }""");
        directory.Write("tenants.json", """{ "acme": { "webhook-secret": "s1", "region": "eu" } }""");
        directory.Write("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: fast
            spec:
              policies:
                retries:
                  quick:
                    policy: constant
                    duration: 20ms
                    maxRetries: -1
                  twice:
                    policy: exponential
                    duration: 10ms
                    maxInterval: 50ms
                    maxRetries: 2
              targets:
                components:
                  pubsub:
                    inbound:
                      retry: quick
                  limited:
                    inbound:
                      retry: twice
            """);
        directory.Write("unsupported.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: redis
            spec:
              type: state.redis
              version: v1
            """);
        return directory;
    }

    public void Write(string fileName, string content) => File.WriteAllText(System.IO.Path.Combine(Path, fileName), content);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
