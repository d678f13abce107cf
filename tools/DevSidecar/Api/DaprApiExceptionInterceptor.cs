using Grpc.Core;
using Grpc.Core.Interceptors;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.Api;

/// <summary>Turns <see cref="DaprApiException"/> into the gRPC status daprd answers with.</summary>
internal sealed class DaprApiExceptionInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (DaprApiException e)
        {
            throw new RpcException(new Status(e.GrpcStatus, e.Message));
        }
    }
}
