from cafeia import create_app

app = create_app()
