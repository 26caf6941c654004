using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>The admin API of sender addresses: every email's From comes from here.</summary>
public static class SenderEndpoints
{
    public sealed record SenderRequest(string? Address, string? DisplayName, string? ReplyTo, bool IsDefault = false);

    public sealed record SenderView(
        Guid Id, string Address, string DisplayName, string? ReplyTo, bool IsDefault, List<string> UsedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static RouteGroupBuilder MapSenders(this RouteGroupBuilder admin)
    {
        var senders = admin.MapGroup("/senders").WithTags("Senders");
        var example = new SenderView(Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88"), "support@salesmind.example", "SalesMind Support",
            "help@salesmind.example", false, ["password-reset"], new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        var request = new SenderRequest("support@salesmind.example", "SalesMind Support", "help@salesmind.example");
        senders.MapGet("/", ListAsync).WithSummary("List sender addresses, the default first, with the templates that use each")
            .WithExample(response: new[] { example with { Address = "no-reply@salesmind.example", DisplayName = "SalesMind", ReplyTo = null, IsDefault = true, UsedBy = [] }, example });
        senders.MapPost("/", CreateAsync).WithSummary("Add a sender address (optionally as the new default)")
            .WithExample(request, example with { UsedBy = [] }, 201);
        senders.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change a sender's address, display name or reply-to")
            .WithExample(request, example);
        senders.MapPost("/{id:guid}/default", MakeDefaultAsync).WithSummary("Make a sender the default (the one before it stops being)")
            .WithExample(response: example with { IsDefault = true });
        senders.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a sender that is neither the default nor chosen by a template")
            .WithExample(status: 204);
        return admin;
    }

    internal static async Task<Ok<List<SenderView>>> ListAsync(NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var senders = await db.Senders.AsNoTracking().OrderByDescending(s => s.IsDefault).ThenBy(s => s.Address).ToListAsync(ct);
        var usage = await UsageAsync(db, ct);
        return TypedResults.Ok(senders.Select(s => View(s, usage)).ToList());
    }

    internal static async Task<Results<Created<SenderView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        SenderRequest? request, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        if (Check(request) is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var sender = new Sender
        {
            Id = Guid.CreateVersion7(now),
            Address = request!.Address!.Trim(),
            DisplayName = request.DisplayName!.Trim(),
            ReplyTo = string.IsNullOrWhiteSpace(request.ReplyTo) ? null : request.ReplyTo.Trim(),
            IsDefault = request.IsDefault,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (sender.IsDefault)
        {
            await db.Senders.Where(s => s.IsDefault).ExecuteUpdateAsync(set => set.SetProperty(s => s.IsDefault, false).SetProperty(s => s.UpdatedAt, now), ct);
        }

        db.Senders.Add(sender);
        AuditLog.Add(db, admin, now, "sender.created", $"sender:{sender.Id}", null, View(sender, []));
        if (await SaveAsync(db, tx, sender.Address, ct) is { } conflict)
        {
            return conflict;
        }

        return TypedResults.Created($"senders/{sender.Id}", View(sender, []));
    }

    internal static async Task<Results<Ok<SenderView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, SenderRequest? request, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        if (Check(request) is { } invalid)
        {
            return invalid;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sender = await LockAsync(db, id, ct);
        if (sender is null)
        {
            return NotFound(id);
        }

        var usage = await UsageAsync(db, ct);
        var before = View(sender, usage);
        sender.Address = request!.Address!.Trim();
        sender.DisplayName = request.DisplayName!.Trim();
        sender.ReplyTo = string.IsNullOrWhiteSpace(request.ReplyTo) ? null : request.ReplyTo.Trim();
        sender.UpdatedAt = time.GetUtcNow();
        // The default flag changes only through …/default, so there is always exactly one.
        AuditLog.Add(db, admin, sender.UpdatedAt, "sender.updated", $"sender:{sender.Id}", before, View(sender, usage));
        if (await SaveAsync(db, tx, sender.Address, ct) is { } conflict)
        {
            return conflict;
        }

        return TypedResults.Ok(View(sender, usage));
    }

    internal static async Task<Results<Ok<SenderView>, ProblemHttpResult>> MakeDefaultAsync(
        Guid id, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sender = await LockAsync(db, id, ct);
        if (sender is null)
        {
            return NotFound(id);
        }

        var usage = await UsageAsync(db, ct);
        if (!sender.IsDefault)
        {
            var now = time.GetUtcNow();
            var previous = await db.Senders.AsNoTracking().Where(s => s.IsDefault).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
            // Off first, then on: the unique index allows one default at a time, and the
            // commit-time check sees exactly one.
            await db.Senders.Where(s => s.IsDefault).ExecuteUpdateAsync(set => set.SetProperty(s => s.IsDefault, false).SetProperty(s => s.UpdatedAt, now), ct);
            sender.IsDefault = true;
            sender.UpdatedAt = now;
            AuditLog.Add(db, admin, now, "sender.made-default", $"sender:{sender.Id}", new { DefaultSender = previous }, new { DefaultSender = sender.Id });
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        return TypedResults.Ok(View(sender, usage));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sender = await LockAsync(db, id, ct);
        if (sender is null)
        {
            return NotFound(id);
        }

        if (sender.IsDefault)
        {
            return TypedResults.Problem("This is the default sender: make another sender the default first.",
                statusCode: StatusCodes.Status409Conflict, title: "Default sender");
        }

        var usedBy = (await UsageAsync(db, ct)).GetValueOrDefault(sender.Id) ?? [];
        if (usedBy.Count > 0)
        {
            return TypedResults.Problem($"Templates {string.Join(", ", usedBy)} send from this address: choose another sender for them first.",
                statusCode: StatusCodes.Status409Conflict, title: "Sender in use");
        }

        AuditLog.Add(db, admin, time.GetUtcNow(), "sender.deleted", $"sender:{sender.Id}", View(sender, []), null);
        db.Senders.Remove(sender);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? Check(SenderRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        var address = request?.Address?.Trim() ?? "";
        if (!TemplateEndpoints.IsBareAddress(address))
        {
            errors["address"] = ["address must be one email address, like no-reply@example.com."];
        }

        var name = request?.DisplayName?.Trim() ?? "";
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
        {
            errors["display_name"] = ["display_name is required: 1–100 characters on one line, e.g. SalesMind."];
        }

        if (!string.IsNullOrWhiteSpace(request?.ReplyTo) && !TemplateEndpoints.IsBareAddress(request.ReplyTo.Trim()))
        {
            errors["reply_to"] = ["reply_to must be one email address, or left out."];
        }

        return errors.Count > 0 ? TypedResults.ValidationProblem(errors, title: "The sender has problems") : null;
    }

    private static async Task<ProblemHttpResult?> SaveAsync(NotifierDb db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, string address, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return null;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem($"There is a sender with the address {address} already.", statusCode: StatusCodes.Status409Conflict, title: "Sender exists");
        }
    }

    private static Task<Sender?> LockAsync(NotifierDb db, Guid id, CancellationToken ct) =>
        db.Senders.FromSql($"SELECT * FROM senders WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);

    /// <summary>Which templates chose which sender.</summary>
    private static async Task<Dictionary<Guid, List<string>>> UsageAsync(NotifierDb db, CancellationToken ct) =>
        (await db.Templates.AsNoTracking().Where(t => t.SenderId != null).Select(t => new { t.Key, t.SenderId }).ToListAsync(ct))
            .GroupBy(t => t.SenderId!.Value)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Key).Order().ToList());

    private static SenderView View(Sender s, Dictionary<Guid, List<string>> usage) =>
        new(s.Id, s.Address, s.DisplayName, s.ReplyTo, s.IsDefault, usage.GetValueOrDefault(s.Id) ?? [], s.CreatedAt, s.UpdatedAt);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"There is no sender {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
