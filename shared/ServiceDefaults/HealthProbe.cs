namespace SalesMind.ServiceDefaults;

/// <summary>
/// The <c>health-probe</c> command: asks the running service on this host whether it is live
/// and exits 0 or 1. Container images have no curl; this keeps their health check in the app.
/// </summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync()
    {
        var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split(';', ',')[0] ?? "8080";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{port}/health/live");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"health probe failed: {ex.Message}");
            return 1;
        }
    }
}
