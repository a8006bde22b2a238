namespace FaceNet.Net.Tests.Diagnostics;

public class PrintableTextTests
{
    [TestCase("cpu", "cpu")]
    [TestCase("evil\u001b[31m\u0007", "evil\\x1b[31m\\x07")]
    [TestCase("line\nbreak\r", "line\\x0abreak\\x0d")]
    [TestCase("c1\u0085", "c1\\x85")]
    [TestCase("Zoë 名前", "Zoë 名前")]
    public void Control_characters_are_escaped_and_everything_else_kept(string value, string expected) =>
        Assert.That(PrintableText.Of(value), Is.EqualTo(expected));

    [Test]
    public void A_long_value_is_cut_and_marked()
    {
        Assert.That(PrintableText.Of(new string('a', 150), 100), Is.EqualTo(new string('a', 100) + "..."));
        Assert.That(PrintableText.Of("short", 100), Is.EqualTo("short"));
    }

    [Test]
    public void A_device_name_with_an_escape_sequence_is_named_without_it()
    {
        var e = Assert.Throws<FaceNet.Net.Devices.DeviceNotAvailableException>(() => FaceNet.Net.Devices.DeviceResolver.Resolve("gpu\u001b[2J"))!;
        Assert.That(e.Message, Does.Contain("gpu\\x1b[2J").And.Not.Contain("\u001b"));
    }
}
