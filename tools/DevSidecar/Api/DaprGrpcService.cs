using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar.Api;

/// <summary>
/// The <c>dapr.proto.runtime.v1.Dapr</c> gRPC API of one app's sidecar. Dapr.Protos ships client stubs only,
/// so the methods are bound by name in <see cref="DaprGrpcServiceMethods"/>; methods not bound answer Unimplemented.
/// Errors are thrown as <see cref="DaprApiException"/> and turned into statuses by <see cref="DaprApiExceptionInterceptor"/>.
/// </summary>
internal sealed partial class DaprGrpcService(DevSidecarApp app, ComponentCatalog catalog, PubSubBroker broker)
{
    private static string? Header(ServerCallContext context, string name) => context.RequestHeaders.GetValue(name);
}
