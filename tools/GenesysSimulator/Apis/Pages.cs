using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Genesys' entity listing envelope.</summary>
internal static class Pages
{
    public static JsonHttpResult<JsonObject> Of(IEnumerable<JsonNode> items, int pageSize = 25, int pageNumber = 1)
    {
        var all = items.ToList();
        pageSize = pageSize <= 0 ? 25 : pageSize;
        pageNumber = pageNumber <= 0 ? 1 : pageNumber;
        var page = all.Skip((pageNumber - 1) * pageSize).Take(pageSize).ToArray();
        return TypedResults.Json(Compact(new JsonObject
        {
            ["entities"] = new JsonArray(page),
            ["pageSize"] = pageSize,
            ["pageNumber"] = pageNumber,
            ["total"] = all.Count,
            ["pageCount"] = (all.Count + pageSize - 1) / pageSize,
        }), SimulatorJson.Default.JsonObject);
    }

    public static JsonHttpResult<JsonObject> Json(JsonObject body, int status = 200) => TypedResults.Json(Compact(body), SimulatorJson.Default.JsonObject, statusCode: status);

    /// <summary>Genesys leaves absent values out rather than writing null: drop null properties, recursively.</summary>
    public static T Compact<T>(T node)
        where T : JsonNode
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, value) in obj)
                {
                    Compact(value!);
                }

                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>())
                {
                    Compact(item);
                }

                break;
        }

        return node;
    }

    public static JsonObject Ref(string id, string selfUri, string? name = null)
    {
        var json = new JsonObject { ["id"] = id };
        if (name is not null)
        {
            json["name"] = name;
        }

        json["selfUri"] = selfUri;
        return json;
    }
}
