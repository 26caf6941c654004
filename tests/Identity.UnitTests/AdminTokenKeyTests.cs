using System.Security.Cryptography;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;

namespace SalesMind.Identity.UnitTests;

/// <summary>How the ES256 key pair is read from configuration (no services needed).</summary>
public sealed class AdminTokenKeyTests
{
    private static string Body(string pem) => string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));

    [Fact]
    public void A_pair_is_read_as_PEM_or_as_the_one_line_base64_body_an_env_file_holds()
    {
        Assert.True(AdminTokenKeys.TryLoadPrivate(new AuthOptions { PublicKey = TestAdminTokens.PublicKeyPem, PrivateKey = TestAdminTokens.PrivateKeyPem }, out _));
        Assert.True(AdminTokenKeys.TryLoadPrivate(
            new AuthOptions { PublicKey = Body(TestAdminTokens.PublicKeyPem), PrivateKey = Body(TestAdminTokens.PrivateKeyPem) }, out _));

        // As the stack passes them: files.
        var dir = Directory.CreateTempSubdirectory("admin-token-keys");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "admin-token.pub"), TestAdminTokens.PublicKeyPem);
            File.WriteAllText(Path.Combine(dir.FullName, "admin-token.key"), TestAdminTokens.PrivateKeyPem);
            Assert.True(AdminTokenKeys.TryLoadPrivate(new AuthOptions
            {
                PublicKeyFile = Path.Combine(dir.FullName, "admin-token.pub"),
                PrivateKeyFile = Path.Combine(dir.FullName, "admin-token.key"),
            }, out _));
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        // openssl ecparam -genkey writes SEC1 ("EC PRIVATE KEY"): accepted too.
        using var sec1 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.True(AdminTokenKeys.TryLoadPrivate(
            new AuthOptions { PublicKey = sec1.ExportSubjectPublicKeyInfoPem(), PrivateKey = sec1.ExportECPrivateKeyPem() }, out _));
    }

    [Fact]
    public void A_mismatched_pair_another_curve_a_public_key_in_the_private_slot_and_garbage_are_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.False(AdminTokenKeys.TryLoadPrivate(new AuthOptions { PublicKey = TestAdminTokens.PublicKeyPem, PrivateKey = other.ExportPkcs8PrivateKeyPem() }, out _));
        Assert.False(AdminTokenKeys.TryLoadPrivate(new AuthOptions { PublicKey = p384.ExportSubjectPublicKeyInfoPem(), PrivateKey = p384.ExportPkcs8PrivateKeyPem() }, out _));
        Assert.False(AdminTokenKeys.TryLoadPrivate(new AuthOptions { PublicKey = TestAdminTokens.PublicKeyPem, PrivateKey = TestAdminTokens.PublicKeyPem }, out _));
        Assert.False(AdminTokenKeys.TryLoadPublic(new AuthOptions { PublicKey = "change-me-public-key-base64" }, out _));
        Assert.False(AdminTokenKeys.TryLoadPublic(new AuthOptions { PublicKeyFile = "/nonexistent/admin-token.pub" }, out _));
        Assert.False(AdminTokenKeys.TryLoadPublic(new AuthOptions(), out _));
    }
}
