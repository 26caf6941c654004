using System.Text.Json;

namespace SalesMind.Identity.Web;

/// <summary>The service's one JSON shape: field names in snake_case, as the pages and API clients send them.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions SnakeCase = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the same naming to options made elsewhere (the minimal APIs' own).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        return options;
    }

    /// <summary>
    /// A small JSON body as <typeparamref name="T"/>; <c>Malformed</c> when it is not one (the
    /// caller then answers 400 saying what to send).
    /// </summary>
    public static async Task<(T? Value, bool Malformed)> ReadAsync<T>(HttpRequest http, CancellationToken ct)
    {
        try
        {
            return (await http.ReadFromJsonAsync<T>(SnakeCase, ct), false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return (default, true);
        }
    }
}
