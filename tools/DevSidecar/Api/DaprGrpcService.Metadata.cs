using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;

namespace PolyAi.Messaging.DevSidecar.Api;

internal sealed partial class DaprGrpcService
{
    public Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context)
    {
        var metadata = MetadataDocument.For(app.AppId, catalog, broker);
        var response = new GetMetadataResponse { Id = metadata.Id, RuntimeVersion = metadata.RuntimeVersion };
        response.RegisteredComponents.AddRange(metadata.Components.Select(c =>
            new RegisteredComponents { Name = c.Name, Type = c.Type, Version = c.Version, Capabilities = { c.Capabilities } }));
        response.Subscriptions.AddRange(metadata.Subscriptions.Select(s => new PubsubSubscription
        {
            PubsubName = s.PubSubName,
            Topic = s.Topic,
            Metadata = { s.Metadata.ToDictionary() },
            Rules = new PubsubSubscriptionRules { Rules = { s.Rules.Select(r => new PubsubSubscriptionRule { Match = r.Match, Path = r.Path }) } },
            DeadLetterTopic = s.DeadLetterTopic ?? "",
            Type = PubsubSubscriptionType.Programmatic,
        }));
        return Task.FromResult(response);
    }
}
