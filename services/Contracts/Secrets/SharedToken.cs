using System.Security.Cryptography;
using System.Text;
using Dapr;
using Dapr.Client;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// A token two of our services share for a call Dapr does not carry (the agent → handoff gRPC port): one secret in the
/// Dapr secret store with the field <c>token</c> and, while a rotation is under way, <c>previousToken</c> (still
/// accepted, never sent). Read through the sidecar, kept for <see cref="RefreshAfter"/>; when the store cannot be
/// read, the last value read is used and the store asked again 10 s later (a store outage does not stop handoffs). Never logged.
/// Rotation: write the new value as <c>token</c> and the old as <c>previousToken</c>, wait longer than
/// <see cref="RefreshAfter"/>, then remove <c>previousToken</c>.
/// </summary>
public sealed class SharedToken(DaprClient dapr, string store, string secretName, TimeProvider time)
{
    public const string TokenField = "token";
    public const string PreviousTokenField = "previousToken";
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);
    private readonly Lock _lock = new();
    private Values? _values;
    private Task<Values>? _reading;

    public string SecretName => secretName;

    /// <summary>The token to send.</summary>
    public async ValueTask<string> CurrentAsync(CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString((await ReadAsync(cancellationToken)).Current);

    /// <summary>Whether <paramref name="presented"/> is the token or the previous one (constant-time compares).</summary>
    public async ValueTask<bool> AcceptsAsync(string presented, CancellationToken cancellationToken)
    {
        var values = await ReadAsync(cancellationToken);
        var bytes = Encoding.UTF8.GetBytes(presented);
        var current = CryptographicOperations.FixedTimeEquals(bytes, values.Current);
        var previous = values.Previous is not null && CryptographicOperations.FixedTimeEquals(bytes, values.Previous);
        return current | previous;
    }

    private async ValueTask<Values> ReadAsync(CancellationToken cancellationToken)
    {
        var values = _values;
        if (values is not null && time.GetElapsedTime(values.ReadAt) < RefreshAfter)
        {
            return values;
        }

        // One read at a time, shared by every caller that finds the token stale.
        Task<Values> reading;
        lock (_lock)
        {
            if (_reading is null || _reading.IsCompleted)
            {
                _reading = ReadFromStoreAsync();
            }

            reading = _reading;
        }

        return await reading.WaitAsync(cancellationToken);
    }

    private async Task<Values> ReadFromStoreAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout, time);
        try
        {
            var secret = await dapr.GetSecretAsync(store, secretName, cancellationToken: timeout.Token);
            var token = secret.GetValueOrDefault(TokenField);
            if (string.IsNullOrEmpty(token))
            {
                return _values ?? throw new SharedTokenUnavailableException($"Secret '{secretName}' in '{store}' has no field '{TokenField}'.");
            }

            var previous = secret.GetValueOrDefault(PreviousTokenField);
            var values = new Values(Encoding.UTF8.GetBytes(token), string.IsNullOrEmpty(previous) ? null : Encoding.UTF8.GetBytes(previous), time.GetTimestamp());
            _values = values;
            return values;
        }
        catch (Exception e) when (e is DaprException or OperationCanceledException)
        {
            // Keep the last value and look again in RetryAfterFailure, so calls meanwhile do not each wait on the store.
            var last = _values ?? throw new SharedTokenUnavailableException($"Secret '{secretName}' could not be read from '{store}'.", e);
            _values = last with { ReadAt = time.GetTimestamp() - (long)((RefreshAfter - RetryAfterFailure).TotalSeconds * time.TimestampFrequency) };
            return _values;
        }
    }

    private sealed record Values(byte[] Current, byte[]? Previous, long ReadAt);
}

/// <summary>A <see cref="SharedToken"/> that was never read: the store is out, or the secret lacks its token.</summary>
public sealed class SharedTokenUnavailableException : Exception
{
    public SharedTokenUnavailableException()
    {
    }

    public SharedTokenUnavailableException(string message) : base(message)
    {
    }

    public SharedTokenUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }
}
