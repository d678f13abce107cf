using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Setup.Provisioning;
using Spectre.Console;

namespace PolyAi.Messaging.Setup.Cli;

/// <summary>What the commands talk to: the console, the environment, Genesys. Tests replace each part.</summary>
public sealed class SetupHost
{
    public const string AdminClientIdVariable = "GENESYS_ADMIN_CLIENT_ID";
    public const string AdminClientSecretVariable = "GENESYS_ADMIN_CLIENT_SECRET";

    /// <summary>Human output: progress and results (never a secret).</summary>
    public IAnsiConsole Console { get; init; } = AnsiConsole.Console;

    /// <summary>Where <c>--json</c> goes.</summary>
    public TextWriter Json { get; init; } = System.Console.Out;

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public Func<GenesysEnvironment, GenesysCredentials, GenesysClient> Clients { get; init; } = (environment, credentials) => new GenesysClient(environment, credentials);

    /// <summary>For the secret and state backends and the simulator's webhook log.</summary>
    public HttpClient Http { get; init; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public SetupTimings Timings { get; init; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
