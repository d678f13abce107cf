using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Genesys' entity listing envelope.</summary>
internal static class Pages
{
    /// <summary>
    /// One page of a listing as Genesys writes it (Corrections 8): the entities, <c>pageSize</c>, <c>pageNumber</c>,
    /// <c>total</c>, <c>pageCount</c> and, given the request, <c>firstUri</c>/<c>selfUri</c>/<c>lastUri</c> and
    /// <c>previousUri</c>/<c>nextUri</c> where those pages exist.
    /// </summary>
    public static JsonHttpResult<JsonObject> Of(IEnumerable<JsonNode> items, int pageSize = 25, int pageNumber = 1, HttpRequest? request = null)
    {
        var all = items.ToList();
        pageSize = pageSize <= 0 ? 25 : pageSize;
        pageNumber = pageNumber <= 0 ? 1 : pageNumber;
        var page = all.Skip((pageNumber - 1) * pageSize).Take(pageSize).ToArray();
        var pageCount = (all.Count + pageSize - 1) / pageSize;
        var body = new JsonObject
        {
            ["entities"] = new JsonArray(page),
            ["pageSize"] = pageSize,
            ["pageNumber"] = pageNumber,
            ["total"] = all.Count,
            ["pageCount"] = pageCount,
        };
        if (request is not null)
        {
            string Uri(int number)
            {
                var query = request.Query.Where(q => q.Key is not "pageNumber" and not "pageSize")
                    .Select(q => $"{System.Uri.EscapeDataString(q.Key)}={System.Uri.EscapeDataString(q.Value.ToString())}")
                    .Append($"pageSize={pageSize}").Append($"pageNumber={number}");
                return $"{request.Path}?{string.Join('&', query)}";
            }

            body["firstUri"] = Uri(1);
            body["selfUri"] = Uri(pageNumber);
            body["lastUri"] = Uri(Math.Max(1, pageCount));
            if (pageNumber > 1)
            {
                body["previousUri"] = Uri(pageNumber - 1);
            }

            if (pageNumber < pageCount)
            {
                body["nextUri"] = Uri(pageNumber + 1);
            }
        }

        return TypedResults.Json(Compact(body), SimulatorJson.Default.JsonObject);
    }

    /// <summary>Genesys' name filters: exact (case-insensitive), or with a leading and/or trailing <c>*</c> wildcard.</summary>
    public static bool NameMatches(string filter, string name)
    {
        var core = filter.Trim('*');
        return (filter.StartsWith('*'), filter.EndsWith('*') && filter.Length > 1) switch
        {
            (true, true) => name.Contains(core, StringComparison.OrdinalIgnoreCase),
            (true, false) => name.EndsWith(core, StringComparison.OrdinalIgnoreCase),
            (false, true) => name.StartsWith(core, StringComparison.OrdinalIgnoreCase),
            _ => string.Equals(name, core, StringComparison.OrdinalIgnoreCase),
        };
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
