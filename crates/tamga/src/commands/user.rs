use std::io::Read;

use tamga_server::users::{NewUser, UserError, create_user};

pub async fn add(
    database: &str,
    name: String,
    role: String,
    party: Option<String>,
    office: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Some(s.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        None
    };
    let state = super::open(database).await?;
    match create_user(
        &state,
        NewUser {
            name: name.clone(),
            role: role.clone(),
            party,
            office,
            password,
        },
        "cli",
    )
    .await
    {
        Ok(created) => {
            println!("created {role} {name} ({})", created.id);
            println!("{}", created.token);
            Ok(())
        }
        Err(UserError::Invalid(problems)) => {
            for p in &problems.errors {
                eprintln!("{}: {} ({})", p.path, p.message, p.code);
            }
            anyhow::bail!("user not created")
        }
        Err(e) => Err(e.into()),
    }
}
