using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace SalesMind.Notifier.Webhooks;

/// <summary>A connection refused by <see cref="WebhookAddressRules"/>: the endpoint's name resolved to an address it may not reach.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

/// <summary>What one POST came to: the status answered (null: none), the error as a person reads it (null: success), how long it took.</summary>
public sealed record WebhookPostResult(int? StatusCode, string? Error, TimeSpan Duration)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Posts one signed event. Every connection is checked where it is made: the name is resolved
/// here and only addresses <see cref="WebhookAddressRules"/> allows are dialled, so an endpoint
/// whose name starts resolving to 127.0.0.1 (DNS rebinding) is refused although it passed at
/// registration. No proxy (it would dial for us, unchecked), no redirects (a 302 to an internal
/// address would walk around the check), no cookies.
/// </summary>
public sealed class WebhookPoster : IDisposable
{
    public const string UserAgent = "SalesMind-Webhooks/1.0 (+outcome webhooks)";

    private const int ShownBodyChars = 200;

    private readonly HttpClient _client;
    private readonly WebhookOptions _options;

    public WebhookPoster(IOptions<WebhookOptions> options)
    {
        _options = options.Value;
        var allowed = _options.AllowedNetworks();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _options.Timeout,
            // A pooled connection stays on the address it was checked for; renewed now and then so DNS changes are seen.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64,
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowed, ct),
        };
        _client = new HttpClient(handler) { Timeout = _options.Timeout };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public async Task<WebhookPostResult> PostAsync(
        string url, Guid eventId, string eventType, string body, string secret, DateTimeOffset now, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, now, body));
        request.Headers.Add("SalesMind-Event-Id", eventId.ToString());
        request.Headers.Add("SalesMind-Event-Type", eventType);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new WebhookPostResult(code, null, clock.Elapsed);
            }

            var error = code is >= 300 and < 400
                ? $"HTTP {code}: redirects are not followed (register the final URL)"
                : $"HTTP {code}{await SnippetAsync(response, ct)}";
            return new WebhookPostResult(code, error, clock.Elapsed);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or WebhookAddressRefusedException)
        {
            return new WebhookPostResult(null, Describe(ex), clock.Elapsed);
        }
    }

    /// <summary>Resolves <paramref name="endpoint"/> and connects to the first address the rules allow; refuses when none is.</summary>
    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, IReadOnlyList<IPNetwork> allowed, CancellationToken ct)
    {
        var host = endpoint.Host;
        var addresses = WebhookAddressRules.LiteralAddress(host) is { } literal ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var permitted = addresses.Where(a => WebhookAddressRules.Refusal(a, allowed) is null).ToArray();
        if (permitted.Length == 0)
        {
            var first = addresses.FirstOrDefault();
            throw new WebhookAddressRefusedException(first is null
                ? $"{host} does not resolve to any address"
                : $"refused: {host} resolves to {first}, a {WebhookAddressRules.Refusal(first, allowed)} address (allow it in Webhooks:AllowedPrivateNetworks if it is meant)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case WebhookAddressRefusedException refused:
                    return refused.Message;
                case TimeoutException:
                    return $"no answer within {_options.Timeout.TotalSeconds:0.###} s";
                case SocketException socket:
                    return $"could not connect: {socket.SocketErrorCode}";
            }
        }

        return ex is TaskCanceledException ? $"no answer within {_options.Timeout.TotalSeconds:0.###} s" : Clean(ex.Message, 300);
    }

    /// <summary>The start of an error answer's body (": …"), for the delivery log; never the whole body.</summary>
    private static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        // A body trickled out slowly must not hold the sender: the client's timeout ended with the headers.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(limit.Token);
            var buffer = new byte[ShownBodyChars * 4];
            var read = 0;
            while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), limit.Token) is var n and > 0)
            {
                read += n;
            }

            var text = Clean(Encoding.UTF8.GetString(buffer, 0, read), ShownBodyChars);
            return text.Length == 0 ? "" : ": " + text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return "";
        }
    }

    /// <summary>One line, no control characters (a receiver's answer must not forge lines in our logs or pages).</summary>
    private static string Clean(string text, int max)
    {
        var chars = text.Select(c => char.IsControl(c) ? ' ' : c).ToArray();
        var one = string.Join(' ', new string(chars).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return one.Length <= max ? one : one[..max];
    }

    public void Dispose() => _client.Dispose();
}
