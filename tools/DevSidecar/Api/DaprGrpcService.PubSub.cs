using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar.Api;

internal sealed partial class DaprGrpcService
{
    public Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        broker.Publish(app.AppId, new Publication(
            request.PubsubName,
            request.Topic,
            request.Data.ToByteArray(),
            request.DataContentType,
            request.Metadata.ToDictionary(),
            Header(context, "traceparent"),
            Header(context, "tracestate")));
        return Task.FromResult(new Empty());
    }

    /// <summary>Serves both BulkPublishEvent and BulkPublishEventAlpha1: entries that fail are reported, not thrown.</summary>
    public Task<BulkPublishResponse> BulkPublishEvent(BulkPublishRequest request, ServerCallContext context)
    {
        catalog.RequirePubSub(app.AppId, request.PubsubName);
        if (string.IsNullOrEmpty(request.Topic))
        {
            throw DaprApiException.InvalidArgument("ERR_TOPIC_EMPTY", $"topic is empty in pubsub {request.PubsubName}");
        }

        if (request.Entries.Any(e => string.IsNullOrEmpty(e.EntryId)) ||
            request.Entries.DistinctBy(e => e.EntryId).Count() != request.Entries.Count)
        {
            throw DaprApiException.InvalidArgument("ERR_PUBSUB_EVENTS_SER", "entryId is required and must be unique in a bulk publish request");
        }

        var response = new BulkPublishResponse();
        foreach (var entry in request.Entries)
        {
            var metadata = request.Metadata.ToDictionary();
            foreach (var (key, value) in entry.Metadata)
            {
                metadata[key] = value;
            }

            try
            {
                broker.Publish(app.AppId, new Publication(
                    request.PubsubName,
                    request.Topic,
                    entry.Event.ToByteArray(),
                    entry.ContentType,
                    metadata,
                    Header(context, "traceparent"),
                    Header(context, "tracestate")));
            }
            catch (DaprApiException e)
            {
                response.FailedEntries.Add(new BulkPublishResponseFailedEntry { EntryId = entry.EntryId, Error = e.Message });
            }
        }

        return Task.FromResult(response);
    }
}
