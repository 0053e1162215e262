from carevia.cli import main

main()
