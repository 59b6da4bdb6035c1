from rubdown.cli.main import main

main()
