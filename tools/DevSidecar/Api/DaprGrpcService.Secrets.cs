using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.Api;

internal sealed partial class DaprGrpcService
{
    public Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        var store = catalog.SecretStore(app.AppId, request.StoreName);
        var secret = store.Get(request.Key)
            ?? throw DaprApiException.Internal("ERR_SECRET_GET", $"failed getting secret with key {request.Key} from secret store {request.StoreName}: secret {request.Key} not found");
        var response = new GetSecretResponse();
        response.Data.Add(secret.ToDictionary());
        return Task.FromResult(response);
    }

    public Task<GetBulkSecretResponse> GetBulkSecret(GetBulkSecretRequest request, ServerCallContext context)
    {
        var store = catalog.SecretStore(app.AppId, request.StoreName);
        var response = new GetBulkSecretResponse();
        foreach (var (key, values) in store.GetAll())
        {
            var secret = new SecretResponse();
            secret.Secrets.Add(values.ToDictionary());
            response.Data[key] = secret;
        }

        return Task.FromResult(response);
    }
}
