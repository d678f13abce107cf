using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using PolyAi.Messaging.ServiceDefaults.Time;

namespace PolyAi.Messaging.Handoff.Tests;

public sealed class ScaledTimeProviderTests
{
    [Fact]
    public void A_service_given_Time_Scale_and_Time_Epoch_runs_on_compressed_time()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Time:Scale"] = "5",
            ["Time:Epoch"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        PolyAi.Messaging.ServiceDefaults.ServiceDefaultsExtensions.AddServiceDefaults(builder);
        using var host = builder.Build();

        var time = Assert.IsType<ScaledTimeProvider>(host.Services.GetService(typeof(TimeProvider)));
        Assert.Equal(5, time.Scale);
    }

    [Fact]
    public void A_service_without_Time_Scale_runs_on_real_time()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();

        PolyAi.Messaging.ServiceDefaults.ServiceDefaultsExtensions.AddServiceDefaults(builder);
        using var host = builder.Build();

        Assert.Same(TimeProvider.System, host.Services.GetService(typeof(TimeProvider)));
    }

    [Fact]
    public async Task A_timer_fires_after_its_due_time_divided_by_the_scale()
    {
        var time = new ScaledTimeProvider(20, DateTimeOffset.UtcNow);
        var fired = new TaskCompletionSource();
        var watch = Stopwatch.StartNew();

        using var timer = time.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromSeconds(40), Timeout.InfiniteTimeSpan);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // 40 s at ×20 is 2 s; unscaled it would be 40 s. The wide upper half leaves a loaded CI machine room.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Changing_a_timer_scales_the_new_due_time_too()
    {
        var time = new ScaledTimeProvider(20, DateTimeOffset.UtcNow);
        var fired = new TaskCompletionSource();
        using var timer = time.CreateTimer(_ => fired.TrySetResult(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var watch = Stopwatch.StartNew();

        timer.Change(TimeSpan.FromSeconds(40), Timeout.InfiniteTimeSpan);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // 40 s at ×20 is 2 s; unscaled it would be 40 s. The wide upper half leaves a loaded CI machine room.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Two_providers_with_one_epoch_agree_and_run_scale_times_faster_than_real_time()
    {
        var epoch = DateTimeOffset.UtcNow.AddSeconds(-30);
        var one = new ScaledTimeProvider(10, epoch);
        var other = new ScaledTimeProvider(10, epoch);

        Assert.True((other.GetUtcNow() - one.GetUtcNow()).Duration() < TimeSpan.FromSeconds(1));
        Assert.InRange(one.GetUtcNow() - epoch, TimeSpan.FromSeconds(299), TimeSpan.FromSeconds(320));
        var started = one.GetTimestamp();
        Assert.InRange(one.GetElapsedTime(started, started + one.TimestampFrequency), TimeSpan.FromSeconds(0.99), TimeSpan.FromSeconds(1.01));
    }

    [Fact]
    public void Configuration_without_a_scale_is_real_time_and_a_scale_without_an_epoch_is_refused()
    {
        Assert.Same(TimeProvider.System, TimeOptions.FromConfiguration(new ConfigurationBuilder().Build()));
        var scaled = TimeOptions.FromConfiguration(Config(("Time:Scale", "10"), ("Time:Epoch", "1800000000000")));
        Assert.Equal(10, Assert.IsType<ScaledTimeProvider>(scaled).Scale);
        Assert.Throws<InvalidOperationException>(() => TimeOptions.FromConfiguration(Config(("Time:Scale", "10"))));
    }

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
