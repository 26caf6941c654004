using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Cli;

/// <summary>
/// The <c>admin-token --name &lt;username or email&gt; [--minutes N]</c> command: prints an admin
/// bearer token for an existing, active admin account (default 15 minutes, at most 60). It
/// carries the account's token version, so it dies with the account or its role like any other.
/// </summary>
public static class AdminTokenCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errors)
    {
        string? Arg(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var max = (int)AdminTokenIssuer.MaxLifetime.TotalMinutes;
        var text = Arg("--minutes") ?? AdminTokenIssuer.DefaultLifetime.TotalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!int.TryParse(text, out var minutes) || minutes < 1 || minutes > max)
        {
            errors.WriteLine($"--minutes must be a whole number from 1 to {max}.");
            return 2;
        }

        if (Arg("--name") is not { Length: > 0 } name)
        {
            errors.WriteLine("usage: admin-token --name <username or email of an admin> [--minutes 1-60]");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var user = await FindAsync(db, name);
        if (user is null)
        {
            errors.WriteLine($"No account with the username or email '{name}'.");
            return 1;
        }

        if (!user.IsActive || !user.Roles.Contains(AdminAuth.AdminRole))
        {
            errors.WriteLine($"{user.Username} is {(user.IsActive ? "not an admin (./stack make-admin gives the role)" : "not active")}: no token.");
            return 1;
        }

        output.WriteLine(scope.ServiceProvider.GetRequiredService<AdminTokenIssuer>().Issue(user, TimeSpan.FromMinutes(minutes)));
        return 0;
    }

    public static Task<User?> FindAsync(IdentityDb db, string usernameOrEmail)
    {
        // With an @ it is an address and nothing else: a username shaped like someone's address cannot be picked instead.
        var key = usernameOrEmail.Trim().ToLowerInvariant();
        return key.Contains('@', StringComparison.Ordinal)
            ? db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == key)
            : db.Users.SingleOrDefaultAsync(u => u.NormalizedUsername == key);
    }
}
