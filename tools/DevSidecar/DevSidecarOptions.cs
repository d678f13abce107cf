namespace PolyAi.Messaging.DevSidecar;

/// <summary>What one dev sidecar process serves: the Dapr resources to load and the apps it stands beside.</summary>
public sealed class DevSidecarOptions
{
    /// <summary>Directory of Dapr YAML resources (Components, Resiliency).</summary>
    public required string ComponentsPath { get; init; }

    public IList<DevSidecarApp> Apps { get; } = new List<DevSidecarApp>();

    /// <summary>When set, every call must carry it as <c>dapr-api-token</c>, as with <c>DAPR_API_TOKEN</c>.</summary>
    public string? ApiToken { get; init; }

    /// <summary>
    /// When set, every call this sidecar makes to an app (subscription discovery, deliveries) carries it as
    /// <c>dapr-api-token</c>, as daprd does with <c>APP_API_TOKEN</c>; apps check it.
    /// </summary>
    public string? AppApiToken { get; init; }

    /// <summary>Clock for state TTLs, CloudEvent times and expirations, and retry back-off.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>One app id: its Dapr HTTP and gRPC ports (0 = pick a free one) and, for pub/sub delivery, the app's own URL.</summary>
public sealed record DevSidecarApp(string AppId, int HttpPort = 0, int GrpcPort = 0, Uri? AppUrl = null);
