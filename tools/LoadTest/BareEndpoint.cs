using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Buffers;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// The limit of the machine: Kestrel alone, reading the whole request body and answering 200 with an empty body. No
/// logging, no middleware. Runs as its own process (<c>LoadTest bare --urls ...</c>) so its CPU is counted apart.
/// </summary>
public static class BareEndpoint
{
    public static async Task RunAsync(string urls, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(urls);
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseRouting();
        app.MapGet("/healthz", () => Results.Ok());
        app.MapPost("/{**path}", ReadAndAnswerAsync);
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
    }

    private static async Task ReadAndAnswerAsync(HttpContext context)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }
}
