namespace PolyAi.Messaging.DevStack;

/// <summary>What DevStack prints: children's lines prefixed by service, and its own messages.</summary>
internal static class Output
{
    private static readonly Lock Gate = new();

    public static void Child(string service, string line) => Write($"{service,-8} | {line}", null);

    public static void Info(string message) => Write($"devstack | {message}", ConsoleColor.Cyan);

    public static void Error(string message) => Write($"devstack | {message}", ConsoleColor.Red);

    public static void Ready(DevStackHost stack, TimeSpan took)
    {
        var lines = new List<string>
        {
            $"PolyAI Messaging is running ({took.TotalSeconds:0.0} s).",
            $"  edge (public)  {stack.EdgeUrl}  metrics {stack.MetricsUrl(DevStackHost.Edge)}",
        };
        foreach (var service in DevStackHost.DaprApps)
        {
            lines.Add($"  {service,-14} {stack.ServiceUrl(service)}  dapr http {stack.SidecarHttpEndpoint(service)}  grpc {stack.SidecarGrpcEndpoint(service)}  metrics {stack.MetricsUrl(service)}");
        }

        lines.Add($"  handoff gRPC   {stack.HandoffGrpcUrl}");
        lines.Add($"  Genesys (simulated) {stack.GenesysUrl}   agent desktop {stack.GenesysUrl}desktop");
        lines.Add("  health: /healthz on every service's URL; /metrics only on its metrics listener (as in the chart)");
        lines.Add($"Webchat: {stack.EdgeUrl}");
        lines.Add("Tenants:");
        foreach (var tenant in stack.Tenants)
        {
            lines.Add($"  {tenant.Key}");
            lines.Add($"    webhook URL     {tenant.WebhookUrl}");
            lines.Add($"    webhook secret  {tenant.WebhookSecret}   (local stack only)");
            lines.Add($"    Genesys         integration {tenant.Genesys.IntegrationId}, queue {tenant.Genesys.QueueId}, {tenant.Genesys.AgentIds.Count} agent(s) on queue");
        }

        lines.Add($"Send a signed sample webhook to {stack.Tenants[0].Key} (expect HTTP 200):");
        lines.Add(SampleWebhook.CurlCommand(stack.Tenants[0]));
        lines.Add("Ctrl+C stops everything.");
        Write(string.Join(Environment.NewLine, lines), ConsoleColor.Green);
    }

    private static void Write(string text, ConsoleColor? color)
    {
        lock (Gate)
        {
            if (color is { } c && !Console.IsOutputRedirected)
            {
                Console.ForegroundColor = c;
                Console.WriteLine(text);
                Console.ResetColor();
            }
            else
            {
                Console.WriteLine(text);
            }
        }
    }
}
