
namespace PolyAi.Messaging.Genesys.Tests;

/// <summary>Where Genesys puts the agents of a queue in an observations answer (genesys-facts, Corrections 2).</summary>
public sealed class QueueObservationTests
{
    private static QueueObservationData OnQueue(string qualifier, long count) =>
        new() { Metric = ObservationMetrics.OnQueueUsers, Qualifier = qualifier, Stats = new ObservationStats { Count = count } };

    private static QueueObservationResult Group(string? mediaType, params QueueObservationData[] data) => new()
    {
        Group = mediaType is null ? new Dictionary<string, string> { ["queueId"] = "q" } : new Dictionary<string, string> { ["queueId"] = "q", ["mediaType"] = mediaType },
        Data = data,
    };

    [Fact]
    public void Query_filters_on_the_queue_alone()
    {
        var query = QueueObservationQuery.ForQueue("q", ObservationMetrics.OnQueueUsers);

        var predicate = Assert.Single(query.Filter.Predicates!);
        Assert.Equal("queueId", predicate.Dimension);
    }

    [Fact]
    public void Agents_are_read_from_the_group_without_a_media_type_not_counting_those_who_cannot_answer()
    {
        var response = new QueueObservationResponse
        {
            Results =
            [
                Group(null, OnQueue(RoutingStatuses.Idle, 2), OnQueue(RoutingStatuses.Interacting, 1), OnQueue(RoutingStatuses.NotResponding, 4), OnQueue(RoutingStatuses.OffQueue, 8)),
                Group("message", new QueueObservationData { Metric = ObservationMetrics.Waiting, Stats = new ObservationStats { Count = 5 } }),
            ],
        };

        Assert.Equal(3, response.AvailableAgents());
    }

    [Fact]
    public void Under_the_other_reading_agents_are_read_from_the_message_group()
    {
        var response = new QueueObservationResponse { Results = [Group("message", OnQueue(RoutingStatuses.Idle, 2), OnQueue(RoutingStatuses.NotResponding, 1))] };

        Assert.Equal(2, response.AvailableAgents());
    }

    [Fact]
    public void Agents_reported_in_both_groups_count_once()
    {
        var response = new QueueObservationResponse { Results = [Group(null, OnQueue(RoutingStatuses.Idle, 2)), Group("message", OnQueue(RoutingStatuses.Idle, 2))] };

        Assert.Equal(2, response.AvailableAgents());
    }
}
