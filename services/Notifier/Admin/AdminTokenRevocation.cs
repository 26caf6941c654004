namespace SalesMind.Notifier.Admin;

/// <summary>
/// What Identity announced about an account's admin tokens: those carrying a version below
/// <see cref="MinVersion"/> are dead. An account without a row has revoked nothing.
/// </summary>
public sealed class AdminTokenRevocation
{
    public Guid UserId { get; set; }

    public int MinVersion { get; set; }

    public DateTimeOffset RevokedAt { get; set; }
}
