using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace PolyAi.Messaging.Testing;

/// <summary>Checks on what a service stored in the state store.</summary>
public static class StateDocuments
{
    private static readonly JsonSerializerOptions ReflectionDefault = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// A document the service stored (with its source-generated JSON) reads and writes the same under the Dapr SDK's
    /// reflection default it replaced: documents stored before the change stay readable, and nothing was renamed.
    /// </summary>
    public static void AssertSameUnderReflection<T>(JsonElement stored)
    {
        var rewritten = JsonSerializer.SerializeToNode(stored.Deserialize<T>(ReflectionDefault), ReflectionDefault);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored.GetRawText()), rewritten), $"{typeof(T).Name} differs:\n{stored.GetRawText()}\n{rewritten}");
    }
}
