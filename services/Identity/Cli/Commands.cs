using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Cli;

/// <summary>The commands the same binary runs instead of serving: <c>migrate</c>, <c>make-admin</c>, <c>remove-admin</c>, <c>admin-token</c>.</summary>
public static class Commands
{
    /// <summary>The command <paramref name="args"/> names, run to its exit code; null when they name none (then serve).</summary>
    public static Task<int>? Run(WebApplication app, string[] args) => args switch
    {
        ["migrate", ..] => MigrateAsync(app.Services),
        ["make-admin", ..] => MakeAdminAsync(app.Services, args),
        ["remove-admin", ..] => RemoveAdminAsync(app.Services, args),
        ["admin-token", ..] => AdminTokenCommand.RunAsync(app.Services, args, Console.Out, Console.Error),
        _ => null,
    };

    /// <summary>Applies pending migrations (creating the database if needed).</summary>
    public static async Task<int> MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.MigrateAsync();
        return 0;
    }

    /// <summary>
    /// <c>make-admin &lt;username or email&gt;</c>: gives an existing account the admin role (the
    /// way to the first admin; later ones can be made the same way).
    /// </summary>
    private static async Task<int> MakeAdminAsync(IServiceProvider services, string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: make-admin <username or email>");
            return 2;
        }

        return await MakeAdminAsync(services, args[1], Console.Out, Console.Error);
    }

    /// <summary>
    /// Gives the account <paramref name="identifier"/> names the admin role. With an <c>@</c> it is
    /// an address and picks the account with that address, never one whose (older) username merely
    /// looks like it.
    /// </summary>
    public static async Task<int> MakeAdminAsync(IServiceProvider services, string identifier, TextWriter output, TextWriter error)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var user = await db.Users.FindByIdentifierAsync(identifier, CancellationToken.None);
        if (user is null)
        {
            await error.WriteLineAsync($"No account with the {(AccountLookup.Parse(identifier).IsEmail ? "email address" : "username")} '{identifier}'.");
            return 1;
        }

        if (user.DeactivatedAt is not null)
        {
            await error.WriteLineAsync($"{user.Username} <{user.Email}> is deactivated; it cannot be made an admin.");
            return 1;
        }

        if (!user.Roles.Contains(AdminAuth.AdminRole))
        {
            user.Roles = [.. user.Roles, AdminAuth.AdminRole];
            await db.SaveChangesAsync();
        }

        await output.WriteLineAsync($"{user.Username} <{user.Email}> is an admin.");
        return 0;
    }

    /// <summary>
    /// <c>remove-admin &lt;username or email&gt;</c>: takes the admin role away; the account's admin
    /// tokens stop working on both services within seconds.
    /// </summary>
    private static async Task<int> RemoveAdminAsync(IServiceProvider services, string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: remove-admin <username or email>");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var user = await AdminTokenCommand.FindAsync(db, args[1]);
        if (user is null)
        {
            Console.Error.WriteLine($"No account with the username or email '{args[1]}'.");
            return 1;
        }

        if (user.Roles.Contains(AdminAuth.AdminRole))
        {
            user.Roles = [.. user.Roles.Where(r => r != AdminAuth.AdminRole)];
            await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.RoleRemoved, DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        await tx.CommitAsync();
        Console.WriteLine($"{user.Username} <{user.Email}> is not an admin.");
        return 0;
    }
}
