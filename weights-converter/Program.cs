using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.WeightsConverter;

var root = new RootCommand("facenet-convert: inspect Keras or PyTorch FaceNet weights and convert them to safetensors");
foreach (var command in ConverterCommands.All()) root.Subcommands.Add(command);
return CliHost.Run(root, args, "facenet-convert");
