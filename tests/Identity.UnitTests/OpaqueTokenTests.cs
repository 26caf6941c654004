using System.Security.Cryptography;
using System.Text;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.UnitTests;

/// <summary>The one secret-token helper behind links, sessions, device cookies and receipts.</summary>
public sealed class OpaqueTokenTests
{
    [Fact]
    public void A_token_is_256_random_bits_as_base64url_and_only_its_SHA256_is_kept()
    {
        var (token, hash) = OpaqueToken.Create();

        Assert.Equal(OpaqueToken.Length, token.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        Assert.True(OpaqueToken.IsWellFormed(token));
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(token)), hash);
        Assert.Equal(hash, OpaqueToken.Hash(token));
    }

    [Fact]
    public void Tokens_do_not_repeat()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => OpaqueToken.Create().Token).ToHashSet();
        Assert.Equal(1000, tokens.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\0A")]
    public void Anything_that_cannot_be_one_of_ours_is_refused_before_the_database(string? token)
    {
        Assert.False(OpaqueToken.IsWellFormed(token));
    }

    [Fact]
    public void Hashes_are_compared_by_value()
    {
        var (token, hash) = OpaqueToken.Create();
        var (_, other) = OpaqueToken.Create();

        Assert.True(OpaqueToken.Matches(hash, OpaqueToken.Hash(token)));
        Assert.False(OpaqueToken.Matches(hash, other));
        Assert.False(OpaqueToken.Matches(hash, hash[..^1]));
    }
}
