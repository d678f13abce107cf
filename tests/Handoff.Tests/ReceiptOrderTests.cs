using PolyAi.Messaging.Handoff.Sessions;

namespace PolyAi.Messaging.Handoff.Tests;

public sealed class ReceiptOrderTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static MessageReceipt Receipt(string status, bool isFinal, int second) => new("m", status, [], isFinal, T.AddSeconds(second), status);

    [Fact]
    public void A_first_receipt_always_stands() => Assert.True(Receipt("Sent", false, 0).Supersedes(null));

    [Fact]
    public void A_newer_non_final_receipt_replaces_an_older_one() =>
        Assert.True(Receipt("Read", false, 2).Supersedes(Receipt("Delivered", false, 1)));

    [Fact]
    public void An_older_non_final_receipt_does_not_replace_a_newer_one() =>
        Assert.False(Receipt("Delivered", false, 1).Supersedes(Receipt("Read", false, 2)));

    [Fact]
    public void A_final_receipt_replaces_a_non_final_one_even_if_its_time_is_earlier() =>
        Assert.True(Receipt("Failed", true, 0).Supersedes(Receipt("Delivered", false, 5)));

    [Fact]
    public void A_non_final_receipt_never_replaces_a_final_one() =>
        Assert.False(Receipt("Read", false, 9).Supersedes(Receipt("Failed", true, 1)));
}
