using System.Diagnostics;
using System.Security.Cryptography;
using SalesMind.Identity.Security;

namespace SalesMind.FaultInjection.Tests;

/// <summary>
/// How many registrations a second this machine can hash: PBKDF2-HMAC-SHA512 (ASP.NET Core's password hasher) at the cost the service pays
/// (<see cref="PasswordCost"/>), one hash per core at a time, as Identity hashes. The fault run
/// offers its load relative to this, so it measures the faults on any machine.
/// </summary>
public static class HashingCapacity
{
    public static double PerSecond()
    {
        var cores = Environment.ProcessorCount;
        var hashes = 2 * cores;
        var salt = RandomNumberGenerator.GetBytes(16);
        Rfc2898DeriveBytes.Pbkdf2("warm-up", salt, 1_000, HashAlgorithmName.SHA512, 32);
        var clock = Stopwatch.StartNew();
        Parallel.For(0, hashes, new ParallelOptions { MaxDegreeOfParallelism = cores },
            i => Rfc2898DeriveBytes.Pbkdf2($"capacity-{i}", salt, PasswordCost.Iterations, HashAlgorithmName.SHA512, 32));
        return hashes / clock.Elapsed.TotalSeconds;
    }
}
