namespace PolyAi.Messaging.Contracts;

/// <summary>
/// The body of a 200 answer to a Dapr delivery: SUCCESS acks, RETRY redelivers, DROP sends the message to the
/// subscription's dead-letter topic. Failures of our own (the state store is down) are a 500, which Dapr retries.
/// </summary>
public sealed record TopicAck(string Status)
{
    public static readonly TopicAck Success = new("SUCCESS");
    public static readonly TopicAck Retry = new("RETRY");
    public static readonly TopicAck Drop = new("DROP");
}
