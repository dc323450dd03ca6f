from easytune.cli import main

main()
