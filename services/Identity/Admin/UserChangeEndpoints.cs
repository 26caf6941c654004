using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesMind.Identity.Profile;
using SalesMind.Identity.Web;
using SalesMind.ServiceDefaults;
using static SalesMind.Identity.Admin.UserAdminViews;

namespace SalesMind.Identity.Admin;

/// <summary>
/// The changes an admin makes to an account. Each is audited (who, when, before, after) and
/// answers refusals as problems with a <c>code</c>, in the language of <c>?lang=ja|en</c>
/// (Japanese by default). A bearer token, not a cookie, proves the admin: no CSRF header needed.
/// </summary>
public static class UserChangeEndpoints
{
    public sealed record ProfileRequest(string? Industry, string? SalesExperience, string? Purpose, string? Locale);

    public static RouteGroupBuilder MapUserChanges(this RouteGroupBuilder users)
    {
        var id = Examples.Id;
        users.MapPost("/{id:guid}/resend-verification", ResendAsync)
            .WithSummary("Email the account a new verification link (older links stop working)")
            .WithDescription("409 when the account is deactivated or already verified.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(response: Problem(409, "Already verified", "already_verified", $"User {id} verified their address already."), status: 409);
        users.MapPost("/{id:guid}/deactivate", DeactivateAsync)
            .WithSummary("Deactivate an account: it can no longer log in, its sessions and admin tokens stop working")
            .WithDescription("409 `last_admin` when the account is the last active admin.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(response: Examples.NotFound, status: 404)
            .WithExample(response: Problem(409, "Last admin", "last_admin", Text(AdminChange.LastAdmin, "en")), status: 409);
        users.MapPost("/{id:guid}/reactivate", ReactivateAsync)
            .WithSummary("Undo a deactivation: the account may log in again (once its address is verified)")
            .WithDescription("Sessions and tokens ended by the deactivation stay ended. 409 `deleted` for an account its owner deleted.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(response: Problem(409, "Deleted by its owner", "deleted", Text(AdminChange.Deleted, "en")), status: 409);
        users.MapPut("/{id:guid}/roles/{role}", GrantRoleAsync)
            .WithSummary("Give an account a role (only `admin` exists); granting it again changes nothing")
            .WithDescription("400 for an unknown role; 409 `not_verified`, `deactivated` or `deleted` for an account that cannot hold it.")
            .WithParameterExample("role", "admin")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(response: Problem(409, "Not verified", "not_verified", Text(AdminChange.NotVerified, "en")), status: 409)
            .WithExample(response: ApiDocs.Problem(400, "Unknown role", errors: new Dictionary<string, string[]> { ["role"] = ["Unknown role 'owner': use admin."] }),
                status: 400);
        users.MapDelete("/{id:guid}/roles/{role}", RemoveRoleAsync)
            .WithSummary("Take a role (e.g. `admin`) from an account; its admin tokens stop working")
            .WithDescription("409 `own_admin_role` for the caller's own admin role, `last_admin` for the last active admin.")
            .WithParameterExample("role", "admin")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(response: Examples.NotFound, status: 404)
            .WithExample(response: Problem(409, "Own admin role", "own_admin_role", Text(AdminChange.OwnAdminRole, "en")), status: 409);
        users.MapPatch("/{id:guid}/profile", UpdateProfileAsync)
            .WithSummary("Change the profile: industry, sales experience, purpose, language (the sign-up's rules)")
            .WithDescription("JSON with any of `industry`, `sales_experience`, `purpose`, `locale`; a field left out is kept, an empty " +
                "`sales_experience` or `purpose` is cleared. 400 names each field with the sign-up's message in `?lang=`.")
            .WithRequestBody<ProfileRequest>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExample(new ProfileRequest("consulting", "over_10_years", null, "en"), Examples.User.Profile! with { Industry = "consulting" })
            .WithExample(response: ApiDocs.Problem(400, "Invalid profile", "Some fields need attention.",
                new Dictionary<string, string[]> { ["purpose"] = ["Purpose must be at most 500 characters."] }), status: 400);
        return users;
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> ResendAsync(Guid id, UserAdmin accounts, ClaimsPrincipal admin, CancellationToken ct,
        string? lang = null)
    {
        var result = await accounts.ResendVerificationAsync(Actor(admin), id, ct);
        return result == AdminChange.Done ? TypedResults.Accepted((string?)null) : Refused(result, id, lang);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeactivateAsync(Guid id, UserAdmin accounts, ClaimsPrincipal admin, CancellationToken ct,
        string? lang = null) =>
        Done(await accounts.DeactivateAsync(Actor(admin), id, ct), id, lang);

    private static async Task<Results<NoContent, ProblemHttpResult>> ReactivateAsync(Guid id, UserAdmin accounts, ClaimsPrincipal admin, CancellationToken ct,
        string? lang = null) =>
        Done(await accounts.ReactivateAsync(Actor(admin), id, ct), id, lang);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> GrantRoleAsync(
        Guid id, string role, UserAdmin accounts, ClaimsPrincipal admin, CancellationToken ct, string? lang = null)
    {
        var result = await accounts.GrantRoleAsync(Actor(admin), id, role, ct);
        if (result == AdminChange.UnknownRole)
        {
            var shown = role.Length > 50 ? role[..50] : role;
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = [Messages.Pick(Messages.LocaleOf(lang), $"ロール '{shown}' はありません。admin を指定してください。",
                    $"Unknown role '{shown}': use {string.Join(", ", UserAdmin.KnownRoles)}.")],
            }, title: "Unknown role");
        }

        return result == AdminChange.Done ? TypedResults.NoContent() : Refused(result, id, lang);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveRoleAsync(
        Guid id, string role, UserAdmin accounts, ClaimsPrincipal admin, CancellationToken ct, string? lang = null) =>
        Done(await accounts.RemoveRoleAsync(Actor(admin), id, role, ct), id, lang);

    private static async Task<Results<Ok<ProfileView>, ValidationProblem, ProblemHttpResult>> UpdateProfileAsync(
        Guid id, HttpRequest http, UserAdmin accounts, ClaimsPrincipal admin, CancellationToken ct, string? lang = null)
    {
        var locale = Messages.LocaleOf(lang);
        Dictionary<string, string?> values;
        Dictionary<string, string> errors;
        try
        {
            (values, errors) = await RequestBody.ReadFormAsync(http, ProfileRules.Fields, ct);
        }
        catch (BadRequestBodyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }

        var invalid = () => TypedResults.ValidationProblem(Problems.Texts(errors, locale),
            detail: Messages.Pick(locale, "入力内容を確認してください。", "Some fields need attention."), title: "Invalid profile");
        if (errors.Count > 0)
        {
            return invalid();
        }

        var (result, profile) = await accounts.UpdateProfileAsync(Actor(admin), id, values, errors, ct);
        return result switch
        {
            AdminChange.Done => TypedResults.Ok(View(profile!)),
            AdminChange.Invalid => invalid(),
            _ => Refused(result, id, lang),
        };
    }

    private static Guid Actor(ClaimsPrincipal admin) =>
        AdminTokenClaims.From(admin)?.UserId ?? throw new InvalidOperationException("The admin policy let in a token without an account.");

    private static Results<NoContent, ProblemHttpResult> Done(AdminChange result, Guid id, string? lang) =>
        result == AdminChange.Done ? TypedResults.NoContent() : Refused(result, id, lang);

    /// <summary>The problem for a refused change, with a <c>code</c> a client can act on.</summary>
    internal static ProblemHttpResult Refused(AdminChange result, Guid id, string? lang)
    {
        var locale = Messages.LocaleOf(lang);
        if (result == AdminChange.NotFound)
        {
            return UserAdminEndpoints.NotFoundProblem(id, lang);
        }

        var (status, title, code) = result switch
        {
            AdminChange.ActorNotAdmin => (StatusCodes.Status403Forbidden, "Not an admin", "not_admin"),
            AdminChange.Deactivated => (StatusCodes.Status409Conflict, "Deactivated", "deactivated"),
            AdminChange.AlreadyVerified => (StatusCodes.Status409Conflict, "Already verified", "already_verified"),
            AdminChange.LastAdmin => (StatusCodes.Status409Conflict, "Last admin", "last_admin"),
            AdminChange.OwnAdminRole => (StatusCodes.Status409Conflict, "Own admin role", "own_admin_role"),
            AdminChange.Deleted => (StatusCodes.Status409Conflict, "Deleted by its owner", "deleted"),
            AdminChange.NotVerified => (StatusCodes.Status409Conflict, "Not verified", "not_verified"),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Not a refusal."),
        };
        return TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = Text(result, locale),
            Extensions = { ["code"] = code },
        });
    }

    private static string Text(AdminChange result, string locale) => result switch
    {
        AdminChange.ActorNotAdmin => Messages.Pick(locale, "あなたのアカウントは有効な管理者ではなくなりました。",
            "Your account is no longer an active admin."),
        AdminChange.Deactivated => Messages.Pick(locale, "このアカウントは無効化されています。先に再有効化してください。",
            "This account is deactivated: reactivate it first."),
        AdminChange.AlreadyVerified => Messages.Pick(locale, "このアカウントはメールアドレスの確認を済ませています。",
            "This account has verified its address already."),
        AdminChange.LastAdmin => Messages.Pick(locale, "最後の有効な管理者です。先に別のアカウントを管理者にしてください。",
            "This is the last active admin: make another account an admin first."),
        AdminChange.OwnAdminRole => Messages.Pick(locale, "自分の管理者権限は外せません。別の管理者に依頼してください。",
            "You cannot take your own admin role: another admin can."),
        AdminChange.Deleted => Messages.Pick(locale, "このアカウントは本人が削除しました。ここでは元に戻せません。",
            "The owner deleted this account: it cannot be brought back or changed here."),
        AdminChange.NotVerified => Messages.Pick(locale, "管理者にできるのは、メールアドレスを確認済みの有効なアカウントだけです。",
            "Only a verified, active account can be an admin."),
        _ => result.ToString(),
    };

    private static Dictionary<string, object?> Problem(int status, string title, string code, string detail) =>
        ApiDocs.Problem(status, title, detail, extensions: new Dictionary<string, object?> { ["code"] = code });
}
