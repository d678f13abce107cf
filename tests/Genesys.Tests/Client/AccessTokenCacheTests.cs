using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace PolyAi.Messaging.Genesys.Tests.Client;

public sealed class AccessTokenCacheTests
{
    private static readonly TimeSpan Day = TimeSpan.FromSeconds(86399);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private int _fetches;
    private TaskCompletionSource<AccessToken>? _pending;

    [Fact]
    public async Task Fetches_once_and_reuses_the_token_until_it_is_nearly_expired()
    {
        var cache = Cache();

        Assert.Equal("token-1", await cache.GetAsync(CancellationToken.None));
        _time.Advance(Day - TimeSpan.FromMinutes(6));
        Assert.Equal("token-1", await cache.GetAsync(CancellationToken.None));
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task Refreshes_ahead_of_expiry_while_callers_keep_the_still_valid_token()
    {
        var cache = Cache();
        await cache.GetAsync(CancellationToken.None);
        _time.Advance(Day - TimeSpan.FromMinutes(4));
        _pending = new TaskCompletionSource<AccessToken>();

        Assert.Equal("token-1", await cache.GetAsync(CancellationToken.None)); // did not wait for the refresh
        Assert.Equal("token-1", await cache.GetAsync(CancellationToken.None));
        await Eventually.Until(() => Volatile.Read(ref _fetches) == 2, "the second fetch");
        _pending.SetResult(AccessToken.Issued("token-2", Day, _time.GetUtcNow()));
        await Eventually.Until(async () => await cache.GetAsync(CancellationToken.None) == "token-2", "the refreshed token");
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task Many_callers_share_one_fetch_when_there_is_no_valid_token()
    {
        _pending = new TaskCompletionSource<AccessToken>();
        var cache = Cache();

        var callers = Enumerable.Range(0, 20).Select(_ => cache.GetAsync(CancellationToken.None)).ToList();
        await Eventually.Until(() => Volatile.Read(ref _fetches) == 1, "the first fetch");
        _pending.SetResult(AccessToken.Issued("shared", Day, _time.GetUtcNow()));

        Assert.All(await Task.WhenAll(callers), t => Assert.Equal("shared", t));
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task An_expired_token_is_never_handed_out()
    {
        var cache = Cache(lifetime: TimeSpan.FromSeconds(300));
        await cache.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(301));

        Assert.Equal("token-2", await cache.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Short_lived_tokens_refresh_after_ninety_percent_of_their_life()
    {
        var cache = Cache(lifetime: TimeSpan.FromSeconds(300));
        await cache.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(269));
        await cache.GetAsync(CancellationToken.None);
        Assert.Equal(1, _fetches);

        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.GetAsync(CancellationToken.None);
        await Eventually.Until(() => Volatile.Read(ref _fetches) == 2, "the second fetch");
    }

    [Fact]
    public async Task Invalidating_the_rejected_token_fetches_a_new_one()
    {
        var cache = Cache();
        var first = await cache.GetAsync(CancellationToken.None);

        cache.Invalidate(first);

        Assert.Equal("token-2", await cache.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_rejection_does_not_throw_away_a_newer_token()
    {
        var cache = Cache();
        var first = await cache.GetAsync(CancellationToken.None);
        cache.Invalidate(first);
        await cache.GetAsync(CancellationToken.None);

        cache.Invalidate(first); // a second caller's 401 on the old token, arriving late

        Assert.Equal("token-2", await cache.GetAsync(CancellationToken.None));
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task A_failed_fetch_surfaces_and_the_next_call_tries_again()
    {
        var fail = true;
        var cache = new AccessTokenCache(
            _ =>
            {
                Interlocked.Increment(ref _fetches);
                return fail ? Task.FromException<AccessToken>(new HttpRequestException("login host down")) : Task.FromResult(AccessToken.Issued("ok", Day, _time.GetUtcNow()));
            },
            _time,
            NullLogger.Instance);

        await Assert.ThrowsAsync<HttpRequestException>(() => cache.GetAsync(CancellationToken.None));
        fail = false;

        Assert.Equal("ok", await cache.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task One_caller_giving_up_does_not_cancel_the_fetch_others_wait_for()
    {
        _pending = new TaskCompletionSource<AccessToken>();
        var cache = Cache();
        using var impatient = new CancellationTokenSource();

        var giving = cache.GetAsync(impatient.Token);
        var patient = cache.GetAsync(CancellationToken.None);
        await impatient.CancelAsync();
        _pending.SetResult(AccessToken.Issued("late", Day, _time.GetUtcNow()));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giving);
        Assert.Equal("late", await patient);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public void A_token_never_prints_its_value()
    {
        var token = AccessToken.Issued("the-bearer-value", Day, _time.GetUtcNow());

        Assert.DoesNotContain("the-bearer-value", token.ToString(), StringComparison.Ordinal);
    }

    private AccessTokenCache Cache(TimeSpan? lifetime = null) => new(
        _ =>
        {
            var n = Interlocked.Increment(ref _fetches);
            // While a test holds _pending open, the fetch hangs on it; otherwise it answers at once.
            return _pending is { Task.IsCompleted: false } pending
                ? pending.Task
                : Task.FromResult(AccessToken.Issued($"token-{n}", lifetime ?? Day, _time.GetUtcNow()));
        },
        _time,
        NullLogger.Instance);
}
