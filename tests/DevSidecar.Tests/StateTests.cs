using Dapr;
using Dapr.Client;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class StateTests : SidecarTestBase
{
    private const string Store = ComponentsDirectory.StateStore;

    [Fact]
    public async Task Saved_state_is_read_back_with_an_etag_that_counts_writes()
    {
        await Verifier.SaveStateAsync(Store, "order-1", new Order(1));
        var (first, firstEtag) = await Verifier.GetStateAndETagAsync<Order>(Store, "order-1");
        await Verifier.SaveStateAsync(Store, "order-1", new Order(2));
        var (second, secondEtag) = await Verifier.GetStateAndETagAsync<Order>(Store, "order-1");

        Assert.Equal(new Order(1), first);
        Assert.Equal("1", firstEtag);
        Assert.Equal(new Order(2), second);
        Assert.Equal("2", secondEtag);
    }

    [Fact]
    public async Task Missing_key_reads_as_default_with_an_empty_etag()
    {
        var (value, etag) = await Verifier.GetStateAndETagAsync<Order>(Store, "nothing-here");

        Assert.Null(value);
        Assert.Equal("", etag);
    }

    [Fact]
    public async Task Save_with_stale_etag_is_rejected_as_Aborted()
    {
        await Verifier.SaveStateAsync(Store, "order-1", new Order(1));
        await Verifier.SaveStateAsync(Store, "order-1", new Order(2));

        Assert.False(await Verifier.TrySaveStateAsync(Store, "order-1", new Order(3), "1"));
        Assert.True(await Verifier.TrySaveStateAsync(Store, "order-1", new Order(3), "2"));
        Assert.Equal(new Order(3), await Verifier.GetStateAsync<Order>(Store, "order-1"));
    }

    [Fact]
    public async Task Malformed_etag_is_rejected_as_InvalidArgument()
    {
        await Verifier.SaveStateAsync(Store, "order-1", new Order(1));

        var error = await Assert.ThrowsAsync<DaprException>(() => Verifier.TrySaveStateAsync(Store, "order-1", new Order(2), "not-a-number"));

        Assert.Equal(StatusCode.InvalidArgument, StatusOf(error));
    }

    [Fact]
    public async Task First_write_without_etag_only_inserts_when_the_key_is_absent()
    {
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await Verifier.SaveStateAsync(Store, "once", new Order(1), firstWrite);

        var error = await Assert.ThrowsAsync<DaprException>(() => Verifier.SaveStateAsync(Store, "once", new Order(2), firstWrite));

        Assert.Equal(StatusCode.Aborted, StatusOf(error));
        Assert.Equal(new Order(1), await Verifier.GetStateAsync<Order>(Store, "once"));
    }

    [Fact]
    public async Task Delete_with_stale_etag_is_refused_and_with_current_etag_removes_the_key()
    {
        await Verifier.SaveStateAsync(Store, "order-1", new Order(1));
        await Verifier.SaveStateAsync(Store, "order-1", new Order(2));

        Assert.False(await Verifier.TryDeleteStateAsync(Store, "order-1", "1"));
        Assert.True(await Verifier.TryDeleteStateAsync(Store, "order-1", "2"));
        Assert.Null(await Verifier.GetStateAsync<Order>(Store, "order-1"));
    }

    [Fact]
    public async Task Bulk_save_get_and_delete_cover_every_key_including_missing_ones()
    {
        await Verifier.SaveBulkStateAsync(Store, [
            new SaveStateItem<Order>("a", new Order(1), etag: ""),
            new SaveStateItem<Order>("b", new Order(2), etag: ""),
        ]);

        var items = await Verifier.GetBulkStateAsync<Order>(Store, ["a", "b", "c"], parallelism: 1);

        Assert.Equal(["a", "b", "c"], items.Select(i => i.Key));
        Assert.Equal(new Order(1), items[0].Value);
        Assert.Equal(new Order(2), items[1].Value);
        Assert.Null(items[2].Value);
        Assert.Equal("", items[2].ETag);

        await Verifier.DeleteBulkStateAsync(Store, [new BulkDeleteStateItem("a", etag: ""), new BulkDeleteStateItem("b", etag: "")]);
        var afterDelete = await Verifier.GetBulkStateAsync<Order>(Store, ["a", "b"], parallelism: 1);
        Assert.All(afterDelete, item => Assert.Null(item.Value));
    }

    [Fact]
    public async Task Transaction_applies_upserts_and_deletes_together()
    {
        await Verifier.SaveStateAsync(Store, "old", new Order(0));

        await Verifier.ExecuteStateTransactionAsync(Store, [
            new StateTransactionRequest("new", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Order(9)), StateOperationType.Upsert),
            new StateTransactionRequest("old", null, StateOperationType.Delete),
        ]);

        Assert.Equal(new Order(9), await Verifier.GetStateAsync<Order>(Store, "new"));
        Assert.Null(await Verifier.GetStateAsync<Order>(Store, "old"));
    }

    [Fact]
    public async Task Transaction_with_a_stale_etag_fails_as_Internal_and_changes_nothing()
    {
        await Verifier.SaveStateAsync(Store, "counter", new Order(1));
        await Verifier.SaveStateAsync(Store, "counter", new Order(2));

        var error = await Assert.ThrowsAsync<DaprException>(() => Verifier.ExecuteStateTransactionAsync(Store, [
            new StateTransactionRequest("other", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Order(5)), StateOperationType.Upsert),
            new StateTransactionRequest("counter", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Order(3)), StateOperationType.Upsert, etag: "1"),
        ]));

        Assert.Equal(StatusCode.Internal, StatusOf(error));
        Assert.Null(await Verifier.GetStateAsync<Order>(Store, "other"));
        Assert.Equal(new Order(2), await Verifier.GetStateAsync<Order>(Store, "counter"));
    }

    [Fact]
    public async Task Keys_are_private_to_each_app_by_default_but_shared_with_keyPrefix_none()
    {
        await Verifier.SaveStateAsync(Store, "tenant", new Order(1));
        await Verifier.SaveStateAsync(ComponentsDirectory.SharedStateStore, "tenant", new Order(2));

        Assert.Null(await Agent.GetStateAsync<Order>(Store, "tenant"));
        Assert.Equal(new Order(2), await Agent.GetStateAsync<Order>(ComponentsDirectory.SharedStateStore, "tenant"));
    }

    [Fact]
    public async Task Key_containing_double_pipe_is_rejected_as_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => Verifier.SaveStateAsync(Store, "a||b", new Order(1)));

        Assert.Equal(StatusCode.InvalidArgument, StatusOf(error));
    }

    [Fact]
    public async Task Unknown_store_and_store_scoped_to_another_app_are_rejected_as_InvalidArgument()
    {
        await Verifier.SaveStateAsync(ComponentsDirectory.ScopedStateStore, "k", new Order(1));

        var unknown = await Assert.ThrowsAsync<DaprException>(() => Verifier.GetStateAsync<Order>("no-such-store", "k"));
        var scoped = await Assert.ThrowsAsync<DaprException>(() => Agent.GetStateAsync<Order>(ComponentsDirectory.ScopedStateStore, "k"));

        Assert.Equal(StatusCode.InvalidArgument, StatusOf(unknown));
        Assert.Equal(StatusCode.InvalidArgument, StatusOf(scoped));
    }

    internal static StatusCode StatusOf(DaprException error) =>
        Assert.IsType<RpcException>(error.InnerException).StatusCode;
}
