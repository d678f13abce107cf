using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Genesys.OpenMessaging;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// Source-generated JSON for every Genesys request and response: camelCase, nulls omitted, unknown fields ignored,
/// names matched case-insensitively (Genesys' own fixtures disagree on <c>nickname</c>/<c>nickName</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(GenesysTimeConverter)])]
[JsonSerializable(typeof(GenesysErrorBody))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenInfo))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(InboundOpenMessage))]
[JsonSerializable(typeof(InboundOpenEvent))]
[JsonSerializable(typeof(InboundReceipt))]
[JsonSerializable(typeof(InboundStructuredResponse))]
[JsonSerializable(typeof(NormalizedMessage))]
[JsonSerializable(typeof(MessageConversation))]
[JsonSerializable(typeof(MessageDetails))]
[JsonSerializable(typeof(ParticipantUpdate))]
[JsonSerializable(typeof(NotificationsChannel))]
[JsonSerializable(typeof(IReadOnlyList<ChannelTopic>))]
[JsonSerializable(typeof(EntityListing<ChannelTopic>))]
[JsonSerializable(typeof(EntityListing<NotificationsChannel>))]
[JsonSerializable(typeof(QueueObservationQuery))]
[JsonSerializable(typeof(QueueObservationResponse))]
[JsonSerializable(typeof(Queue))]
[JsonSerializable(typeof(CreateQueueRequest))]
[JsonSerializable(typeof(EntityListing<Queue>))]
[JsonSerializable(typeof(EntityListing<QueueMember>))]
[JsonSerializable(typeof(IReadOnlyList<QueueMemberUpdate>))]
[JsonSerializable(typeof(Recipient))]
[JsonSerializable(typeof(RecipientRequest))]
[JsonSerializable(typeof(EntityListing<Recipient>))]
[JsonSerializable(typeof(Role))]
[JsonSerializable(typeof(RoleRequest))]
[JsonSerializable(typeof(EntityListing<Role>))]
[JsonSerializable(typeof(EntityListing<DomainPermissionCollection>))]
[JsonSerializable(typeof(Division))]
[JsonSerializable(typeof(OAuthClientRequest))]
[JsonSerializable(typeof(OAuthClient))]
[JsonSerializable(typeof(MessagingSetting))]
[JsonSerializable(typeof(EntityListing<MessagingSetting>))]
[JsonSerializable(typeof(OpenIntegrationRequest))]
[JsonSerializable(typeof(OpenIntegration))]
[JsonSerializable(typeof(EntityListing<OpenIntegration>))]
[JsonSerializable(typeof(FlowJobRegistration))]
[JsonSerializable(typeof(FlowJobRequest))]
[JsonSerializable(typeof(FlowJob))]
[JsonSerializable(typeof(ArchitectOperation))]
[JsonSerializable(typeof(Flow))]
[JsonSerializable(typeof(EntityListing<Flow>))]
public sealed partial class GenesysJsonContext : JsonSerializerContext;

/// <summary><c>POST /api/v2/flows/jobs</c> body.</summary>
public sealed record FlowJobRequest
{
    public bool? CreateStubs { get; init; }
}

/// <summary>
/// Writes times as Genesys does (UTC, milliseconds, <c>Z</c>); reads any ISO-8601 string, and epoch milliseconds,
/// which some Genesys entities use for dates.
/// </summary>
public sealed class GenesysTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var epochMs))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
        }

        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new JsonException("Expected an ISO-8601 time or epoch milliseconds.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
