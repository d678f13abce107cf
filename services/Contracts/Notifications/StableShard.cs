namespace PolyAi.Messaging.Contracts;

/// <summary>Which of a fixed number of records an entry of a sharded index lives in.</summary>
public static class StableShard
{
    /// <summary>FNV-1a over the characters of <paramref name="key"/>, modulo <paramref name="shards"/>: the same in every process and version (string.GetHashCode is not).</summary>
    public static int Of(string key, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }
}
