using System.Globalization;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.State;

namespace PolyAi.Messaging.DevSidecar.Api;

internal sealed partial class DaprGrpcService
{
    private const string TtlMetadata = "ttlInSeconds";

    public Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var store = catalog.StateStore(app.AppId, request.StoreName);
        var state = store.Get(store.StorageKey(app.AppId, request.Key));
        var response = new GetStateResponse { Data = state?.Value ?? ByteString.Empty, Etag = state?.ETag ?? "" };
        AddExpiry(response.Metadata, state);
        return Task.FromResult(response);
    }

    public Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var store = catalog.StateStore(app.AppId, request.StoreName);
        var response = new GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            var state = store.Get(store.StorageKey(app.AppId, key));
            var item = new BulkStateItem { Key = key, Data = state?.Value ?? ByteString.Empty, Etag = state?.ETag ?? "" };
            AddExpiry(item.Metadata, state);
            response.Items.Add(item);
        }

        return Task.FromResult(response);
    }

    public Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        var store = catalog.StateStore(app.AppId, request.StoreName);
        foreach (var item in request.States)
        {
            var write = ToWrite(store, StateOperation.Upsert, item.Key, item.Value, item.Etag, item.Options, item.Metadata, "ERR_STATE_SAVE");
            if (!store.TryApply([write]))
            {
                throw DaprApiException.Aborted("ERR_STATE_SAVE", $"failed saving state in state store {request.StoreName}: possible etag mismatch for key {item.Key}");
            }
        }

        return Task.FromResult(new Empty());
    }

    public Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        var store = catalog.StateStore(app.AppId, request.StoreName);
        Delete(store, request.StoreName, request.Key, request.Etag, request.Options, request.Metadata);
        return Task.FromResult(new Empty());
    }

    public Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context)
    {
        var store = catalog.StateStore(app.AppId, request.StoreName);
        foreach (var item in request.States)
        {
            Delete(store, request.StoreName, item.Key, item.Etag, item.Options, item.Metadata);
        }

        return Task.FromResult(new Empty());
    }

    /// <summary>All operations or none; any failed precondition fails the whole transaction with Internal, as daprd does.</summary>
    public Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        var store = catalog.StateStore(app.AppId, request.StoreName);
        var writes = request.Operations.Select(operation =>
        {
            var kind = operation.OperationType switch
            {
                "upsert" => StateOperation.Upsert,
                "delete" => StateOperation.Delete,
                var other => throw DaprApiException.Unimplemented("ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {other} not supported"),
            };
            var item = operation.Request ?? throw DaprApiException.InvalidArgument("ERR_MALFORMED_REQUEST", "transaction operation without request");
            return ToWrite(store, kind, item.Key, item.Value, item.Etag, item.Options, item.Metadata, "ERR_STATE_TRANSACTION");
        }).ToList();

        if (!store.TryApply(writes))
        {
            throw DaprApiException.Internal("ERR_STATE_TRANSACTION", $"error while executing state transaction: possible etag mismatch in state store {request.StoreName}");
        }

        return Task.FromResult(new Empty());
    }

    private void Delete(InMemoryStateStore store, string storeName, string key, Etag? etag, StateOptions? options, MapField<string, string> metadata)
    {
        var write = ToWrite(store, StateOperation.Delete, key, ByteString.Empty, etag, options, metadata, "ERR_STATE_DELETE");
        if (!store.TryApply([write]))
        {
            throw DaprApiException.Aborted("ERR_STATE_DELETE", $"failed deleting state with key {key} in state store {storeName}: possible etag mismatch");
        }
    }

    // An etag is an integer version; first-write without one means "only if absent"; ttlInSeconds -1 means no expiry.
    private StateWrite ToWrite(
        InMemoryStateStore store,
        StateOperation operation,
        string key,
        ByteString value,
        Etag? etag,
        StateOptions? options,
        MapField<string, string> metadata,
        string errorCode)
    {
        long? expectedVersion = null;
        if (etag is { Value.Length: > 0 })
        {
            expectedVersion = long.TryParse(etag.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? version
                : throw DaprApiException.InvalidArgument(errorCode, $"invalid etag value: {etag.Value}");
        }

        var firstWrite = options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite;
        return new StateWrite(
            operation,
            store.StorageKey(app.AppId, key),
            value,
            expectedVersion,
            MustBeAbsent: operation == StateOperation.Upsert && firstWrite && expectedVersion is null,
            TimeToLive(metadata, errorCode));
    }

    private static TimeSpan? TimeToLive(MapField<string, string> metadata, string errorCode)
    {
        if (!metadata.TryGetValue(TtlMetadata, out var text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds >= -1
            ? seconds == -1 ? null : TimeSpan.FromSeconds(seconds)
            : throw DaprApiException.InvalidArgument(errorCode, $"{TtlMetadata} must be -1 or a non-negative integer, got '{text}'");
    }

    private static void AddExpiry(MapField<string, string> metadata, StoredState? state)
    {
        if (state?.ExpiresAt is { } expiresAt)
        {
            metadata["ttlExpireTime"] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
    }
}
