using System.Diagnostics;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>A file's identity (device and inode), read with libc's fstat: what tells a rotated log from the new one.</summary>
public sealed class FileIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("salesmind-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NewFile(string name, string text = "line\n")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void It_is_known_on_64_bit_Linux()
    {
        var linux64 = OperatingSystem.IsLinux()
            && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.Arm64;
        Assert.Equal(linux64, FileIdentity.IsSupported);
    }

    [Fact]
    public void It_is_what_stat_prints_as_device_and_inode()
    {
        if (!FileIdentity.IsSupported)
        {
            return;
        }

        var path = NewFile("a.log");
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d:%i", path]) { RedirectStandardOutput = true })!;
        var expected = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();

        Assert.Equal(expected, FileIdentity.Of(path));
    }

    [Fact]
    public void A_renamed_file_keeps_it_and_a_new_file_at_the_old_name_or_a_copy_has_another()
    {
        if (!FileIdentity.IsSupported)
        {
            return;
        }

        var path = NewFile("postfix.log");
        var before = FileIdentity.Of(path);
        File.Move(path, path + ".1");
        NewFile("postfix.log");
        File.Copy(path + ".1", path + ".copy");

        Assert.Equal(before, FileIdentity.Of(path + ".1"));
        Assert.NotEqual(before, FileIdentity.Of(path));
        Assert.NotEqual(before, FileIdentity.Of(path + ".copy"));
    }

    [Fact]
    public void It_is_read_from_the_open_handle_so_a_rename_after_opening_changes_nothing()
    {
        if (!FileIdentity.IsSupported)
        {
            return;
        }

        var path = NewFile("open.log");
        var expected = FileIdentity.Of(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        File.Move(path, path + ".1");
        NewFile("open.log");

        Assert.Equal(expected, FileIdentity.Of(stream.SafeFileHandle));
    }
}
