using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TokenScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Scope",
                table: "api_tokens",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "deploy");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Scope",
                table: "api_tokens");
        }
    }
}
