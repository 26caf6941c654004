using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using SalesMind.Notifier.Webhooks;

namespace SalesMind.Notifier.Tests;

/// <summary>A webhook receiver inside the test: an HTTP listener on 127.0.0.1 that records every POST and answers as told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Func<Received, int, int> _answer;

    /// <summary>One request as it arrived.</summary>
    public sealed record Received(string? Signature, string? EventId, string? EventType, string? UserAgent, string Body, DateTimeOffset At)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public WebhookSignatureCheck Check(string secret, DateTimeOffset? now = null) =>
            WebhookSignature.Verify(Signature, secret, Body, now ?? At, WebhookSignature.DefaultTolerance);
    }

    /// <param name="answer">The status to answer a request with, given the request and how many times its event came (1: the first).</param>
    public WebhookReceiver(Func<Received, int, int>? answer = null)
    {
        _answer = answer ?? ((_, _) => 200);
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks/salesmind";

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The requests that carried event <paramref name="eventId"/>.</summary>
    public List<Received> For(Guid eventId) => [.. Requests.Where(r => r.EventId == eventId.ToString())];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var received = new Received(
                context.Request.Headers[WebhookSignature.Header], context.Request.Headers["SalesMind-Event-Id"], context.Request.Headers["SalesMind-Event-Type"],
                context.Request.UserAgent, await reader.ReadToEndAsync(), DateTimeOffset.UtcNow);
            Requests.Enqueue(received);
            context.Response.StatusCode = _answer(received, Requests.Count(r => r.EventId == received.EventId));
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
