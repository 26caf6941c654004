namespace SalesMind.Identity.Registration;

/// <summary>A sign-up as submitted (JSON or form). Every field may be missing; validation says what is wrong.</summary>
public sealed record RegisterRequest(
    string? Username,
    string? Email,
    string? Password,
    string? Industry,
    string? SalesExperience,
    string? Purpose,
    string? Locale)
{
    /// <summary>The field names a client may send, as they appear on the wire.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        "username", "email", "password", "industry", "sales_experience", "purpose", "locale",
    };

    public static RegisterRequest From(IReadOnlyDictionary<string, string?> values) => new(
        values.GetValueOrDefault("username"),
        values.GetValueOrDefault("email"),
        values.GetValueOrDefault("password"),
        values.GetValueOrDefault("industry"),
        values.GetValueOrDefault("sales_experience"),
        values.GetValueOrDefault("purpose"),
        values.GetValueOrDefault("locale"));
}

/// <summary>What a successful (or indistinguishable duplicate-address) sign-up answers.</summary>
public sealed record RegisterResponse(string Email, string Status);
