using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// The proxies whose <c>X-Forwarded-*</c> headers are believed (section <c>ForwardedHeaders</c>).
/// Loopback is always trusted (nginx on the same host); anything else must be named here, e.g.
/// the compose network. A header from any other peer is ignored, so a client cannot pick its own
/// address for the rate limits.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Single proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>172.28.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

/// <summary>One forwarded-headers setup for both services.</summary>
public static class ForwardedHeadersSetup
{
    /// <summary>The framework's switch that would trust every proxy (read from <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>).</summary>
    public const string FrameworkSwitch = "FORWARDEDHEADERS_ENABLED";

    /// <summary>
    /// Trusts <paramref name="headers"/> from loopback and the configured proxies only; refuses
    /// to start when <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> is set, because the framework's
    /// own middleware would then believe every peer (and run before ours).
    /// </summary>
    public static WebApplicationBuilder AddSalesMindForwardedHeaders(this WebApplicationBuilder builder, ForwardedHeaders headers)
    {
        if (string.Equals(builder.Configuration[FrameworkSwitch], "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(Environment.GetEnvironmentVariable("ASPNETCORE_" + FrameworkSwitch), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new RefusedStartException(
                "Refusing to start: ASPNETCORE_FORWARDEDHEADERS_ENABLED=true makes ASP.NET Core trust X-Forwarded-For from every client. " +
                "Remove it and name the proxies in ForwardedHeaders:KnownNetworks / ForwardedHeaders:KnownProxies (env ForwardedHeaders__KnownNetworks__0).");
        }

        builder.Services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, ForwardedHeadersSettingsValidator>();
        // PostConfigure: runs after every other setup of these options, the framework's included,
        // so nothing can widen the trusted set behind our back.
        builder.Services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<ForwardedHeadersSettings>>((o, settings) =>
        {
            o.ForwardedHeaders = headers;
            // nginx is the one hop; its X-Forwarded-For is overwritten with the peer it saw.
            o.ForwardLimit = 1;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Add(IPAddress.IPv6Loopback);
            o.KnownIPNetworks.Add(new System.Net.IPNetwork(IPAddress.Loopback, 8));
            foreach (var proxy in settings.Value.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy.Trim()));
            }

            foreach (var network in settings.Value.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network.Trim()));
            }
        });
        return builder;
    }

    public static WebApplication UseSalesMindForwardedHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    private sealed class ForwardedHeadersSettingsValidator : IValidateOptions<ForwardedHeadersSettings>
    {
        public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
        {
            var problems = new List<string>();
            for (var i = 0; i < options.KnownProxies.Count; i++)
            {
                if (!IPAddress.TryParse(options.KnownProxies[i]?.Trim(), out _))
                {
                    problems.Add($"{ForwardedHeadersSettings.Section}:KnownProxies:{i} ('{options.KnownProxies[i]}') is not an IP address, e.g. 10.0.0.5.");
                }
            }

            for (var i = 0; i < options.KnownNetworks.Count; i++)
            {
                if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i]?.Trim(), out var network))
                {
                    problems.Add($"{ForwardedHeadersSettings.Section}:KnownNetworks:{i} ('{options.KnownNetworks[i]}') is not a network in CIDR notation, e.g. 172.28.0.0/24.");
                }
                else if (network.PrefixLength == 0)
                {
                    // Trusting every address is what this setting exists to prevent.
                    problems.Add($"{ForwardedHeadersSettings.Section}:KnownNetworks:{i} ('{options.KnownNetworks[i]}') would trust every client; name the proxy's network.");
                }
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
