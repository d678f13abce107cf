using System.Net;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PolyAi.Messaging.DevSidecar.Api;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar.Hosting;

/// <summary>
/// The web server of one app's sidecar: the Dapr HTTP API on an HTTP/1.1 port and the Dapr gRPC API on an
/// HTTP/2-cleartext port (what DaprClient expects for an http:// gRPC endpoint), both on 127.0.0.1.
/// Components and the broker are the process-wide instances, so all apps share state and topics.
/// </summary>
internal static class SidecarAppServer
{
    public static WebApplication Build(
        DevSidecarApp app,
        ComponentCatalog catalog,
        PubSubBroker broker,
        DevSidecarOptions options,
        ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = $"dev-sidecar-{app.AppId}" });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, app.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, app.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Logging.ClearProviders();
        builder.Services
            .AddSingleton(loggerFactory)
            .AddSingleton<IHostLifetime, ExternallyControlledLifetime>()
            .AddSingleton(app)
            .AddSingleton(catalog)
            .AddSingleton(broker)
            .AddSingleton<DaprGrpcService>();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<DaprApiExceptionInterceptor>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<DaprGrpcService>, DaprGrpcServiceMethods>());

        var web = builder.Build();
        if (options.ApiToken is { Length: > 0 } apiToken)
        {
            web.UseMiddleware<ApiTokenMiddleware>(apiToken);
        }

        web.MapGrpcService<DaprGrpcService>();
        web.MapDaprHttpApi();
        web.MapDevInspectionApi();
        return web;
    }
}
