using System.CommandLine;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;

var root = new RootCommand("facenet: face verification and recognition with FaceNet.Net");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return CliHost.Run(root, args, "facenet");
