using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The Notifier only verifies admin tokens (public key) and refuses those Identity revoked, as
/// soon as the <see cref="AdminTokensRevoked"/> event is consumed over the real broker.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class AdminTokenRevocationTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<HttpStatusCode> CallAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/templates");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.CreateClient().SendAsync(request);
        return response.StatusCode;
    }

    private static string AdminToken(Guid account, int version) => TestAdminTokens.Mint(account, version, [AdminAuth.AdminRole]);

    [Fact]
    public async Task A_revocation_kills_the_accounts_older_tokens_within_seconds_and_leaves_newer_ones_and_other_accounts_alone()
    {
        var account = Guid.CreateVersion7();
        var bystander = Guid.CreateVersion7();
        var old = AdminToken(account, 0);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(old));

        await app.PublishAsync(new AdminTokensRevoked(account, 1, "deactivated", DateTimeOffset.UtcNow), Guid.NewGuid());

        await Eventually.HoldsAsync(async () => await CallAsync(old) == HttpStatusCode.Unauthorized, Patience, "the revoked token is refused");
        Assert.Equal(HttpStatusCode.OK, await CallAsync(AdminToken(account, 1)));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(AdminToken(bystander, 0)));
    }

    [Fact]
    public async Task A_late_or_repeated_revocation_never_brings_a_revoked_token_back()
    {
        var account = Guid.CreateVersion7();
        var messageId = Guid.NewGuid();
        await app.PublishAsync(new AdminTokensRevoked(account, 3, "role_removed", DateTimeOffset.UtcNow), messageId);
        await Eventually.HoldsAsync(async () => await CallAsync(AdminToken(account, 2)) == HttpStatusCode.Unauthorized, Patience, "version 2 is refused");

        // An older event arriving late, and the same event again (at-least-once delivery).
        var late = Guid.NewGuid();
        await app.PublishAsync(new AdminTokensRevoked(account, 1, "deactivated", DateTimeOffset.UtcNow.AddMinutes(-1)), late);
        await app.PublishAsync(new AdminTokensRevoked(account, 3, "role_removed", DateTimeOffset.UtcNow), messageId);
        await Eventually.HoldsAsync(
            async () => await app.Database.ScalarAsync<long>(
                "SELECT count(*) FROM inbox_message WHERE message_id = $1 AND consumer = 'AdminTokensRevokedConsumer'", late) == 1,
            Patience, "the late event was consumed");

        Assert.Equal(3, await app.Database.ScalarAsync<int>("SELECT min_version FROM admin_token_revocations WHERE user_id = $1", account));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(AdminToken(account, 2)));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(AdminToken(account, 3)));
    }

    [Fact]
    public async Task The_Notifier_holds_only_the_public_key_and_refuses_forged_and_HMAC_tokens()
    {
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        Assert.Null(auth.PrivateKey);
        Assert.Null(auth.PrivateKeyFile);
        Assert.False(AdminTokenKeys.TryLoadPrivate(auth, out _));
        var genuine = AdminToken(Guid.CreateVersion7(), 0);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(genuine));

        foreach (var (name, forged) in TestAdminTokens.Forgeries(genuine))
        {
            Assert.True(await CallAsync(forged) == HttpStatusCode.Unauthorized, $"a token forged by {name} got in");
        }

        // Well signed, but without a token version: nothing could ever revoke it, so it is no admin token.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(TestAdminTokens.Mint(Guid.CreateVersion7(), null, [AdminAuth.AdminRole])));
    }
}
