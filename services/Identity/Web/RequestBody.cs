using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace SalesMind.Identity.Web;

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
                // Not kept: nothing downstream should ever see it.
                values[name] = null;
                errors[key] = "field.invalid_text";
            }
        }

        if (mediaType == "application/json")
        {
            if (!IsStrictUtf8(bytes))
            {
                throw new BadRequestBodyException(StatusCodes.Status400BadRequest, "Malformed JSON",
                    "The request body is not valid UTF-8.");
            }

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
                    var name = ReadName(property);
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.String:
                            Add(name, ReadString(property.Value));
                            break;
                        case JsonValueKind.Null:
                            Add(name, null);
                            break;
                        default:
                            Add(name, null);
                            errors[name.Length > 64 ? name[..64] : name] =
                                fields.Contains(name) ? "field.not_string" : "field.unknown";
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

    private static string ReadName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            // A name with a lone surrogate escape cannot become a string either.
            throw new BadRequestBodyException(StatusCodes.Status400BadRequest, "Malformed JSON",
                "A field name in the request body is not valid text.");
        }
    }

    private static bool IsStrictUtf8(byte[] bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
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

    /// <summary>
    /// No control characters (tabs and line breaks allowed), no unpaired surrogates and no Unicode
    /// noncharacters (U+FDD0–U+FDEF, U+FFFE, U+FFFF): text that cannot be normalized or stored.
    /// </summary>
    internal static bool IsCleanText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if ((char.IsControl(c) && c is not ('\n' or '\r' or '\t')) || c is >= '\uFDD0' and <= '\uFDEF' or '\uFFFE' or '\uFFFF')
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
