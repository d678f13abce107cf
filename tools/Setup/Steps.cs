using System.Net;
using PolyAi.Messaging.Genesys;

namespace PolyAi.Messaging.Setup;

/// <summary>What a provision step did (or, with <c>--plan</c>, would do).</summary>
public static class Outcomes
{
    public const string Unchanged = "unchanged";
    public const string Created = "created";
    public const string Updated = "updated";
    public const string WouldCreate = "would create";
    public const string WouldUpdate = "would update";

    public static bool IsChange(string outcome) => outcome != Unchanged;
}

/// <param name="Step">The step's name (<c>role</c>, <c>oauth-client</c>, …).</param>
/// <param name="Detail">What was found or done, for people; never a secret.</param>
public sealed record StepResult(string Step, string Outcome, string Detail, string? Id = null);

/// <summary>Where in Genesys Cloud's Admin UI a person fixes each part by hand (the setup guide's paths).</summary>
public static class AdminPaths
{
    public const string Role = "Admin > People & Permissions > Roles / Permissions";
    public const string OAuthClient = "Admin > Integrations > OAuth";
    public const string MessagingSetting = "Admin > Message > Platform Configs (Messaging Settings)";
    public const string Integration = "Admin > Message > Platforms (Open Messaging)";
    public const string Queue = "Admin > Contact Center > Queues";
    public const string Flow = "Admin > Architect > Flows: Inbound Message";
    public const string Routing = "Admin > Routing > Message Routing";
    public const string Agents = "Admin > Contact Center > Queues > Members (and the agents go On Queue)";
}

/// <summary>A step failed: which, why (Genesys' own error) and where to fix it by hand.</summary>
public sealed class SetupStepException : Exception
{
    public SetupStepException(string step, string adminPath, string problem, Exception? inner = null)
        : base($"{step}: {problem}", inner)
    {
        Step = step;
        AdminPath = adminPath;
        Problem = problem;
    }

    public SetupStepException()
        : this("setup", "", "failed")
    {
    }

    public SetupStepException(string message)
        : this("setup", "", message)
    {
    }

    public SetupStepException(string message, Exception innerException)
        : this("setup", "", message, innerException)
    {
    }

    public string Step { get; }

    public string AdminPath { get; }

    public string Problem { get; }

    /// <summary>Runs one step, turning Genesys' errors into a failure that names the step and the fix path.</summary>
    public static async Task<T> Guard<T>(string step, string adminPath, Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (GenesysApiException e)
        {
            throw new SetupStepException(step, adminPath, Describe(e), e);
        }
        catch (GenesysResponseException e)
        {
            throw new SetupStepException(step, adminPath, e.Message, e);
        }
        catch (TimeoutException e)
        {
            throw new SetupStepException(step, adminPath, e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new SetupStepException(step, adminPath, $"could not reach Genesys: {e.Message}", e);
        }
    }

    public static string Describe(GenesysApiException e)
    {
        var text = $"Genesys answered {(int)e.Status} {e.Code ?? e.Status.ToString()}: {e.GenesysMessage ?? e.Message}";
        return e.CorrelationId is null ? text : $"{text} (correlation id {e.CorrelationId})";
    }

    public static bool IsNotFound(GenesysApiException e) => e.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed;
}
