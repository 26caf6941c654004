using System.Security.Cryptography;
using System.Text;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Security;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.UnitTests;

/// <summary>The emailed 6-digit code is kept as an HMAC under a server key: a copy of the database alone does not give it.</summary>
public sealed class OneTimeCodeTests
{
    private static readonly OneTimeCodeKey Key = OneTimeCodeKey.Derive(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void The_same_code_row_and_key_give_the_same_hash_and_the_code_matches_it()
    {
        var row = Guid.CreateVersion7();
        var (code, hash) = OneTimeCode.Create(Key, row);

        Assert.Matches("^[0-9]{6}$", code);
        Assert.Equal(32, hash.Length);
        Assert.Equal(hash, OneTimeCode.Hash(Key, row, code));
        Assert.True(OneTimeCode.Matches(Key, hash, row, code));
        Assert.False(OneTimeCode.Matches(Key, hash, Guid.CreateVersion7(), code));
    }

    [Fact]
    public void Another_key_gives_another_hash_and_does_not_match()
    {
        var row = Guid.CreateVersion7();
        var other = OneTimeCodeKey.Derive(RandomNumberGenerator.GetBytes(32));
        var (code, hash) = OneTimeCode.Create(Key, row);

        Assert.NotEqual(hash, OneTimeCode.Hash(other, row, code));
        Assert.False(OneTimeCode.Matches(other, hash, row, code));
    }

    [Fact]
    public void A_database_reader_walking_all_million_codes_with_what_the_row_holds_finds_nothing()
    {
        var row = Guid.CreateVersion7();
        var (code, hash) = OneTimeCode.Create(Key, row);
        // What the table holds: the row's id beside the hash. Keyed with it (the old scheme), or
        // with no key at all, no candidate hashes to the stored value; the server's key finds it.
        var id = row.ToByteArray();
        var found = new List<string>();
        for (var i = 0; i < 1_000_000; i++)
        {
            var candidate = i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            var digits = Encoding.ASCII.GetBytes(candidate);
            if (HMACSHA256.HashData(id, digits).AsSpan().SequenceEqual(hash)
                || HMACSHA256.HashData([], [.. id, .. digits]).AsSpan().SequenceEqual(hash)
                || SHA256.HashData([.. id, .. digits]).AsSpan().SequenceEqual(hash))
            {
                found.Add(candidate);
            }
        }

        Assert.Empty(found);
        Assert.True(OneTimeCode.Matches(Key, hash, row, code));
    }

    [Fact]
    public void The_key_comes_from_the_signing_keys_private_part_whatever_PEM_form_holds_it()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = new AuthOptions { PublicKey = ecdsa.ExportSubjectPublicKeyInfoPem(), PrivateKey = ecdsa.ExportPkcs8PrivateKeyPem() };
        var sec1 = new AuthOptions { PublicKey = ecdsa.ExportSubjectPublicKeyInfoPem(), PrivateKey = ecdsa.ExportECPrivateKeyPem() };
        Assert.True(AdminTokenKeys.TryLoadPrivate(pkcs8, out var a));
        Assert.True(AdminTokenKeys.TryLoadPrivate(sec1, out var b));
        using var another = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var row = Guid.CreateVersion7();

        var hash = OneTimeCode.Hash(OneTimeCodeKey.Derive(a!.ECDsa), row, "123456");

        Assert.Equal(hash, OneTimeCode.Hash(OneTimeCodeKey.Derive(b!.ECDsa), row, "123456"));
        Assert.NotEqual(hash, OneTimeCode.Hash(OneTimeCodeKey.Derive(another), row, "123456"));
        // A sub-key, not the signing key itself: HMAC under the raw private scalar differs.
        var d = ecdsa.ExportParameters(true).D!;
        byte[] message = [.. row.ToByteArray(), .. "123456"u8];
        Assert.NotEqual(hash, HMACSHA256.HashData(d, message));
    }

    [Fact]
    public void A_short_secret_is_refused()
    {
        Assert.Throws<ArgumentException>(() => OneTimeCodeKey.Derive(new byte[16]));
    }
}
