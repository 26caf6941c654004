using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace SalesMind.Identity.Registration;

/// <summary>The body could not be read as a form at all (not a field problem).</summary>
public sealed class BadRequestBodyException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}

/// <summary>
/// Reads a small flat form from JSON or form-encoded bodies, strictly: a size cap, strict UTF-8,
/// only known fields, only strings, no control characters. Anything odd becomes a 400 that says
/// what was wrong, never an exception that reaches the database.
/// </summary>
public static class RequestBody
{
    public const int MaxBytes = 16 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns the fields' values and, per field, the key of a message (see <see cref="Messages"/>).</summary>
    public static async Task<(Dictionary<string, string?> Values, Dictionary<string, string> Errors)> ReadFormAsync(
        HttpRequest request, IReadOnlySet<string> fields, CancellationToken ct)
    {
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/json" or "application/x-www-form-urlencoded"))
        {
            throw new BadRequestBodyException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                "Send the form as application/json or application/x-www-form-urlencoded.");
        }

        var bytes = await ReadCappedAsync(request, ct);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);

        void Add(string name, string? value)
        {
            var key = name.Length > 64 ? name[..64] : name;
            if (!fields.Contains(name))
            {
                errors[key] = "field.unknown";
            }
            else if (!values.TryAdd(name, value))
            {
                errors[key] = "field.duplicate";
            }
            else if (value is not null && !IsCleanText(value))
            {
                errors[key] = "field.invalid_text";
            }
        }

        if (mediaType == "application/json")
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 4 });
            }
            catch (JsonException ex)
            {
                throw new BadRequestBodyException(StatusCodes.Status400BadRequest, "Malformed JSON",
                    $"The request body is not valid JSON ({ex.Message}).");
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new BadRequestBodyException(StatusCodes.Status400BadRequest, "Malformed JSON",
                        "The request body must be a JSON object with the form's fields.");
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.String:
                            Add(property.Name, ReadString(property.Value));
                            break;
                        case JsonValueKind.Null:
                            Add(property.Name, null);
                            break;
                        default:
                            Add(property.Name, null);
                            errors[property.Name.Length > 64 ? property.Name[..64] : property.Name] =
                                fields.Contains(property.Name) ? "field.not_string" : "field.unknown";
                            break;
                    }
                }
            }
        }
        else
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new BadRequestBodyException(StatusCodes.Status400BadRequest, "Malformed form",
                    "The request body is not valid UTF-8.");
            }

            foreach (var (name, value) in QueryHelpers.ParseQuery(text))
            {
                if (value.Count > 1)
                {
                    errors[name.Length > 64 ? name[..64] : name] = "field.duplicate";
                    continue;
                }

                Add(name, value.ToString());
            }
        }

        return (values, errors);
    }

    private static string? ReadString(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (\ud800) cannot become a string.
            return "\0";
        }
    }

    /// <summary>No control characters (tabs and line breaks allowed) and no unpaired surrogates.</summary>
    internal static bool IsCleanText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<byte[]> ReadCappedAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static BadRequestBodyException TooLarge() => new(StatusCodes.Status400BadRequest, "Request body too large",
        $"The request body is larger than {MaxBytes} bytes.");
}
